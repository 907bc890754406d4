"""The portal's and the console's pages in a real browser (chromium, headless, via Selenium).

Run by scripts/browser-tests, which installs Selenium and passes LIFELINE_BIN (the built
binary) and SCREENSHOTS (where each main page is saved at phone and desktop widths). The test
builds a small directory with the CLI, starts `lifeline serve` on a free loopback port with the
file gateway, and reads every code from the gateway's output, as a person reads their phone.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

BINARY = os.environ["LIFELINE_BIN"]
SCREENSHOTS = os.environ.get("SCREENSHOTS", tempfile.gettempdir())
PHONE = (390, 844)
DESKTOP = (1280, 1000)

DIRECTORY = """email,name,mobile,groups
ann@example.com,Ann Lee,447700900001,Staff
bob@example.com,Bob Stone,447700900002,Staff
carol@example.com,Carol Admin,447700900003,IT
dave@example.com,Dave Operator,447700900004,IT
fay@example.com,Fay Hill,07700 900006,IT
"""


class Directory:
    """A temporary database, the CLI over it, and the "phone": the file gateway's output."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="lifeline-browser-")
        self.database = os.path.join(self.folder, "lifeline.db")
        self.outbox = self.database + ".outbox.jsonl"

    def cli(self, *arguments, stdin=None):
        return subprocess.run(
            [BINARY, "--database", self.database, *arguments], input=stdin, capture_output=True, text=True, check=True
        ).stdout

    def messages(self):
        if not os.path.exists(self.outbox):
            return []
        with open(self.outbox, encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.strip()]

    def code_for(self, number, after, timeout=30):
        """The code in the first message to `number` beyond the first `after` messages."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages()[after:]:
                found = re.search(r"code is (\d+)", message["body"])
                if message["to"] == number and found:
                    return found.group(1)
            time.sleep(0.2)
        raise AssertionError(f"no code reached {number} within {timeout} s")

    def set_password(self, email, number, password):
        before = len(self.messages())
        self.cli("reset", "start", email, "--method", "sms", "--request-id", f"setup-{number}")
        self.cli("outbox", "dispatch")
        self.cli("reset", "verify", f"setup-{number}", self.code_for(number, before))
        self.cli("reset", "complete", f"setup-{number}", "--password-stdin", stdin=password + "\n")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, directory):
        self.log = open(os.path.join(directory.folder, "serve.log"), "w+", encoding="utf-8")
        # A port chosen first, so the public URL the on-call notices' links carry is this server.
        port = free_port()
        self.process = subprocess.Popen(
            [BINARY, "--database", directory.database, "serve", "--listen", f"127.0.0.1:{port}", "--address-limit", "100000",
             "--public-url", f"http://127.0.0.1:{port}"],
            stderr=self.log,
            # Every page rendered here is checked: a template value its view lacks is a 500.
            env={**os.environ, "LIFELINE_CHECK_PAGES": "1"},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with open(self.log.name, encoding="utf-8") as log:
                found = re.search(r'"message":"listening".*?127\.0\.0\.1:(\d+)', log.read())
            if found:
                self.base = f"http://127.0.0.1:{found.group(1)}"
                return
            time.sleep(0.1)
        raise AssertionError("the server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_window_size(*DESKTOP)
    return driver


class PagesTest(unittest.TestCase):
    """Each test goes on from where the one before it left the directory (tests run in name order)."""

    @classmethod
    def setUpClass(cls):
        cls.directory = Directory()
        d = cls.directory
        d.cli("migrate")
        path = os.path.join(d.folder, "staff.csv")
        with open(path, "w", encoding="utf-8") as file:
            file.write(DIRECTORY)
        d.cli("import", "users", path)
        d.cli("sms", "attribute", "set", "mobile")
        d.cli("profiles", "create", "Two-step", "--reset", "email_or_sms", "--two-step", "sms")
        d.cli("profiles", "assign", "Two-step", "--group", "Staff", "--priority", "10")
        d.set_password("carol@example.com", "447700900003", "Lantern-Quay-2026")
        d.set_password("dave@example.com", "447700900004", "Granite-Fern-2026")
        d.cli("admins", "grant", "carol@example.com", "--role", "admin")
        d.cli("admins", "grant", "dave@example.com", "--role", "operator", "--on-call")
        d.cli("templates", "create", "Mail down", "--group", "Staff", "--start-message", "Email is down: use the phone bridge.",
              "--end-message", "Email works again.", "--question", "Reply 1 if you can work, 2 if you need help",
              "--answer", "can work", "--answer", "need help", "--trigger", "alertname=MailDown", "--auto-start-after", "120")
        cls.trigger_key = json.loads(d.cli("api-keys", "create", "prometheus", "--role", "trigger", "--format", "json"))["key"]
        d.cli("optin", "record", "bob@example.com", "--state", "opted_in", "--evidence", "signed form", "--actor", "hr")
        cls.server = Server(d)
        cls.driver = browser()

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.server.stop()
        with open(cls.server.log.name, encoding="utf-8") as log:
            errors = [line for line in log if '"level":"error"' in line]
        shutil.rmtree(cls.directory.folder, ignore_errors=True)
        if errors:
            raise AssertionError("the server logged errors:\n" + "".join(errors))

    # Helpers

    def open(self, path):
        self.driver.get(self.server.base + path)

    def wait_for(self, condition, timeout=60):
        """Waits, generously: CI machines are slow, and a password check is 600,000 PBKDF2 rounds."""
        try:
            return WebDriverWait(self.driver, timeout).until(condition)
        except TimeoutException:
            body = self.driver.find_element(By.TAG_NAME, "body").text if self.driver.find_elements(By.TAG_NAME, "body") else ""
            raise AssertionError(f"waited {timeout} s in vain on {self.driver.current_url}; the page reads:\n{body}") from None

    def heading(self):
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def body(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def fill(self, field, text):
        element = self.driver.find_element(By.ID, field)
        element.clear()
        element.send_keys(text)

    def submit(self, button_text):
        """Clicks the button and waits for the page the form leads to."""
        self.leave_page(lambda: self.driver.find_element(By.XPATH, f"//button[normalize-space()='{button_text}']").click())

    def follow(self, link_text):
        self.leave_page(lambda: self.driver.find_element(By.LINK_TEXT, link_text).click())

    def leave_page(self, action):
        """Does `action`, then waits for a new document to have loaded.

        The old page is marked with a script variable; the new one lacks it. (Selenium's
        staleness check can fail mid-navigation with "node does not belong to the document".)
        """
        self.driver.execute_script("window.lifelineOldPage = true")
        action()

        def loaded(driver):
            try:
                return driver.execute_script("return document.readyState === 'complete' && !window.lifelineOldPage")
            except WebDriverException:
                return False

        self.wait_for(loaded)

    def shot(self, name):
        """Saves the page at phone and desktop widths; at phone width nothing may scroll sideways."""
        for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
            self.driver.set_window_size(*size)
            if label == "phone":
                self.assert_no_sideways_scroll(name)
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(size[0], max(size[1], min(height + 140, 3000)))
            self.driver.save_screenshot(os.path.join(SCREENSHOTS, f"{name}-{label}.png"))
        self.driver.set_window_size(*DESKTOP)

    def assert_no_sideways_scroll(self, name):
        """Neither the page nor anything in it (a table's box included) is wider than its box."""
        wider = self.driver.execute_script("""
            var found = [];
            var page = document.documentElement;
            if (page.scrollWidth > page.clientWidth + 1) found.push("the page: " + page.scrollWidth + " > " + page.clientWidth);
            document.querySelectorAll("main *").forEach(function (element) {
                // A table's head is visually hidden at phone width (kept for screen readers).
                if (element.closest("thead")) return;
                var style = getComputedStyle(element);
                var scrolls = style.overflowX === "auto" || style.overflowX === "scroll";
                if (scrolls && element.scrollWidth > element.clientWidth + 1) {
                    found.push(element.tagName.toLowerCase() + "." + element.className + ": " + element.scrollWidth + " > " + element.clientWidth);
                }
                var box = element.getBoundingClientRect();
                if (box.width > 0 && box.right > page.clientWidth + 1) found.push(element.tagName.toLowerCase() + " ends at " + Math.round(box.right));
            });
            return found.slice(0, 5);
        """)
        self.assertEqual(wider, [], f"{name} scrolls sideways at phone width")

    def sign_in_console(self, email, password, number):
        self.driver.delete_all_cookies()
        self.open("/console/sign-in")
        self.fill("email", email)
        self.fill("password", password)
        before = len(self.directory.messages())
        self.submit("Sign in")
        self.fill("code", self.directory.code_for(number, before))
        self.submit("Continue")
        self.assertEqual(self.heading(), "Administration console")

    # The portal

    def test_01_forgotten_password_with_the_captcha(self):
        d = self.directory
        self.open("/portal")
        self.shot("portal-home")
        self.follow("Forgot your password?")
        self.assertEqual(self.heading(), "Forgot your password?")
        self.fill("email", "ann@example.com")
        # The proof of work runs in a Web Worker; the button stays disabled until it is done.
        self.wait_for(EC.element_to_be_clickable((By.ID, "reset-submit")), timeout=180)
        self.assertIn("Check done", self.driver.find_element(By.ID, "captcha-status").text)
        self.shot("portal-reset-start")
        before = len(d.messages())
        self.submit("Send the code")
        self.assertEqual(self.heading(), "Enter your code")
        self.assertIn("If the account can be reset this way", self.body())
        code = d.code_for("447700900001", before)
        self.shot("portal-reset-code")
        wrong = "000000" if code != "000000" else "111111"
        self.fill("code", wrong)
        self.submit("Continue")
        self.assertIn("That code is not right", self.driver.find_element(By.ID, "code-error").text)
        self.fill("code", code)
        self.submit("Continue")
        self.assertEqual(self.heading(), "Choose a new password")
        rules = self.driver.find_element(By.ID, "policy-rules").text
        self.assertIn("at least 8 characters", rules)
        self.fill("password", "ann")
        self.fill("confirmation", "ann")
        self.submit("Change my password")
        refusal = self.driver.find_element(By.ID, "password-error").text
        self.assertIn("at least 8 characters", refusal)
        self.assertIn("lower case, upper case, digits and symbols", refusal)
        self.assertIn("name part of the email address", refusal)
        self.shot("portal-reset-password")
        self.fill("password", "Harbour-Light-2026")
        self.fill("confirmation", "Harbour-Light-2026")
        self.submit("Change my password")
        self.assertEqual(self.heading(), "Password changed")
        self.shot("portal-reset-done")

    def test_02_an_unknown_email_gets_the_same_pages(self):
        self.open("/portal/reset")
        self.fill("email", "nobody")
        self.wait_for(EC.element_to_be_clickable((By.ID, "reset-submit")), timeout=180)
        self.submit("Send the code")
        self.assertIn("Enter the email address", self.driver.find_element(By.ID, "email-error").text)
        # The solved check is kept: mending the email does not mean waiting again.
        self.assertTrue(self.driver.find_element(By.ID, "reset-submit").is_enabled())
        self.fill("email", "nobody@example.com")
        self.submit("Send the code")
        self.assertEqual(self.heading(), "Enter your code")
        self.assertIn("If the account can be reset this way", self.body())

    def test_03_sign_in_with_two_step(self):
        d = self.directory
        self.driver.delete_all_cookies()
        self.open("/portal/sign-in")
        self.fill("email", "ann@example.com")
        self.fill("password", "wrong-password-1")
        self.submit("Sign in")
        self.assertIn("do not match", self.driver.find_element(By.ID, "form-error").text)
        self.fill("email", "ann@example.com")
        self.fill("password", "Harbour-Light-2026")
        before = len(d.messages())
        self.submit("Sign in")
        self.assertEqual(self.heading(), "Enter your code")
        self.fill("code", d.code_for("447700900001", before))
        self.submit("Continue")
        self.assertEqual(self.heading(), "Outage alerts")

    def test_04_subscribe_and_unsubscribe(self):
        d = self.directory
        self.open("/portal/alerts")
        self.assertEqual(self.driver.find_element(By.ID, "masked-number").text, "+••••••••0001")
        self.assertIn("Not subscribed", self.driver.find_element(By.ID, "alert-state").text)
        self.submit("Subscribe")
        self.assertIn("Reply YES", self.body())
        self.assertIn("Waiting for your YES", self.driver.find_element(By.ID, "alert-state").text)
        self.shot("portal-alerts-pending")
        d.cli("sms", "inbound", "--from", "447700900001", "--text", "YES")
        self.open("/portal/alerts")
        self.assertIn("Subscribed since", self.driver.find_element(By.ID, "alert-state").text)
        self.shot("portal-alerts")
        self.submit("Unsubscribe")
        self.assertIn("Unsubscribed", self.driver.find_element(By.ID, "alert-state").text)

    def test_05_a_form_without_its_csrf_token_is_refused(self):
        self.open("/portal/alerts")
        self.driver.execute_script(
            "var form = document.querySelector('form[action=\"/portal/alerts/subscribe\"]');"
            "form.querySelector('input[name=csrf]').remove(); form.submit();"
        )
        self.wait_for(lambda d: d.find_element(By.TAG_NAME, "h1").text == "This form has expired")
        self.open("/portal/alerts")
        self.assertIn("Unsubscribed", self.driver.find_element(By.ID, "alert-state").text)

    # The console

    def test_10_an_operator_is_refused_an_admin_page(self):
        self.sign_in_console("dave@example.com", "Granite-Fern-2026", "447700900004")
        self.assertNotIn("SMS numbers", self.driver.find_element(By.TAG_NAME, "nav").text)
        self.open("/console/sms")
        self.assertEqual(self.heading(), "For admins only")
        self.assertIn("Sign out", self.driver.find_element(By.TAG_NAME, "header").text)
        self.assertIn("Events", self.driver.find_element(By.TAG_NAME, "nav").text)
        self.shot("console-forbidden")
        self.open("/console/import")
        self.assertEqual(self.heading(), "For admins only")
        self.open("/console/optins?who=bob%40example.com")
        self.assertIn("opted in", self.body())

    def test_11_an_admin_runs_an_event(self):
        d = self.directory
        self.sign_in_console("carol@example.com", "Lantern-Quay-2026", "447700900003")
        self.shot("console-home")
        self.open("/console/events/new")
        self.assertEqual(self.driver.find_element(By.ID, "start-count").text, "", "no error before anything is typed")
        self.assertEqual(self.driver.find_elements(By.CSS_SELECTOR, "main .error"), [])
        self.fill("name", "Mail outage")
        Select(self.driver.find_element(By.ID, "group")).select_by_value("Staff")
        self.fill("start_message", "Hi {name}: email is down ({event}). Use the phone bridge.")
        self.wait_for(lambda d: "GSM-7" in d.find_element(By.ID, "start-count").text)
        self.assertIn("1 SMS part", self.driver.find_element(By.ID, "start-count").text)
        self.fill("end_message", "{evnt} is over — thanks")
        self.wait_for(lambda d: "evnt" in d.find_element(By.ID, "end-count").text)
        self.assertIn("UCS-2", self.driver.find_element(By.ID, "end-count").text)
        self.shot("console-event-new")
        self.submit("Create the event")
        self.assertIn("evnt", self.driver.find_element(By.ID, "end-error").text)
        self.fill("end_message", "{event} is over: email works again. Thanks, {name}.")
        self.submit("Create the event")
        self.assertEqual(self.heading(), "Mail outage")
        self.assertEqual(self.driver.find_element(By.ID, "recipients").text, "1")
        self.assertIn("Hi Bob Stone: email is down (Mail outage)", self.body())
        self.follow("Start…")
        self.assertIn("text the start message to 1 person", self.body())
        self.shot("console-event-confirm")
        self.submit("Start and text 1 person")
        self.assertEqual(self.driver.find_element(By.ID, "event-state").text, "active")
        # The counts follow the outbox without a reload: the dispatcher sends, then a receipt;
        # "1 alert queued." (if the page came before the send) goes once nothing waits.
        self.driver.execute_script("window.notReloaded = true")
        self.wait_for(lambda d: "sent" in d.find_element(By.ID, "delivery-rows").text, timeout=30)
        self.wait_for(lambda d: not d.find_elements(By.ID, "queued-notice"), timeout=30)
        sent = [m for m in d.messages() if m["kind"] == "event_start"]
        self.assertEqual([m["to"] for m in sent], ["447700900002"])
        d.cli("outbox", "receipt", sent[0]["idempotency_key"], "--status", "delivered")
        self.wait_for(lambda d: "delivered" in d.find_element(By.ID, "delivery-rows").text, timeout=30)
        self.assertTrue(self.driver.execute_script("return window.notReloaded === true"))
        self.shot("console-event")
        self.follow("End…")
        self.submit("End and text 1 person")
        self.assertEqual(self.driver.find_element(By.ID, "event-state").text, "ended")
        self.assertNotIn("would be texted now", self.body(), "an ended event texts no one")
        self.wait_for(lambda d: "end" in d.find_element(By.ID, "delivery-rows").text, timeout=30)
        self.shot("console-event-ended")

    def test_15_a_monitoring_draft_texts_a_link_that_leads_to_its_confirmation(self):
        d = self.directory
        d.cli("optin", "record", "ann@example.com", "--state", "opted_in", "--evidence", "signed form", "--actor", "hr")
        before = len(d.messages())
        alert = {
            "version": "4", "status": "firing", "receiver": "lifeline", "groupKey": '{}:{alertname="MailDown"}',
            "groupLabels": {"alertname": "MailDown"}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am:9093",
            "truncatedAlerts": 0,
            "alerts": [{"status": "firing", "labels": {"alertname": "MailDown", "instance": "mx1"},
                        "annotations": {"summary": "mx1 refuses mail"}, "startsAt": "2026-12-06T02:10:00Z",
                        "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prom", "fingerprint": "a1"}],
        }
        drafted = set()
        for _ in range(3):  # Alertmanager repeats a group: one draft, however often.
            request = urllib.request.Request(
                self.server.base + "/v1/triggers/alertmanager", data=json.dumps(alert).encode(), method="POST",
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.trigger_key}"})
            with urllib.request.urlopen(request, timeout=30) as answer:
                drafted.update(result["event_id"] for result in json.load(answer)["results"])
        self.assertEqual(len(drafted), 1)
        event_id = drafted.pop()

        # Dave is on call: his phone gets the link, in the priority lane, as the server sends it.
        deadline = time.monotonic() + 30
        link = None
        while link is None and time.monotonic() < deadline:
            for message in d.messages()[before:]:
                found = re.search(r"(http://127\.0\.0\.1:\d+/console/notice/[0-9]+-[0-9a-f]{32})", message["body"])
                if message["to"] == "447700900004" and found:
                    link = found.group(1)
            time.sleep(0.2)
        self.assertIsNotNone(link, "no on-call notice reached the operator")
        self.assertFalse(any(m["to"] == "447700900003" and "/console/notice/" in m["body"] for m in d.messages()), "Carol is not on call")

        # Following it: sign-in with the password and the SMS code, then the confirmation itself.
        self.driver.delete_all_cookies()
        self.driver.get(link)
        self.assertIn("Sign in to follow the on-call link", self.body())
        self.fill("email", "dave@example.com")
        self.fill("password", "Granite-Fern-2026")
        before = len(d.messages())
        self.submit("Sign in")
        self.fill("code", d.code_for("447700900004", before))
        self.submit("Continue")
        self.assertTrue(self.driver.current_url.endswith(f"/console/events/{event_id}/start"), self.driver.current_url)
        self.assertIn("text the start message to 1 person", self.body())
        self.assertIn("skipped: not opted in", self.body())
        self.shot("console-notice-confirm")

        # The event page counts down to the automatic start, live.
        self.open(f"/console/events/{event_id}")
        left = self.driver.find_element(By.ID, "auto-start-left")
        first = left.text
        self.assertRegex(first, r"^1 h \d+ min \d+ s$")
        self.wait_for(lambda _: left.text != first, timeout=10)
        self.assertIn("1 round of notices sent", self.driver.find_element(By.ID, "on-call-status").text)
        self.shot("console-event-draft-on-call")
        self.follow("Start…")
        self.submit("Start and text 1 person")
        self.assertEqual(self.driver.find_element(By.ID, "event-state").text, "active")
        self.assertIn("notice link followed by console:dave@example.com", self.driver.find_element(By.ID, "history").text)

        # The link worked once.
        self.driver.get(link)
        self.assertIn("already used", self.body())

        # The templates page, with what monitoring drafts from each.
        self.open("/console/templates")
        self.assertIn("alertname=MailDown", self.body())
        self.shot("console-templates")

    def test_12_opt_in_lookup_and_an_admin_opt_out(self):
        self.open("/console/optins?who=bob%40example.com")
        self.assertIn("signed form", self.body())
        self.fill("evidence-bob@example.com", "asked by phone, ticket 77")
        self.submit("Record opt-out")
        self.assertIn("The opt-out is recorded", self.body())
        self.assertIn("ticket 77", self.body())
        self.shot("console-optins")

    def test_13_sms_dashboard(self):
        self.open("/console/sms")
        self.assertEqual(Select(self.driver.find_element(By.ID, "attribute")).first_selected_option.get_attribute("value"), "mobile")
        self.assertIn("valid", self.driver.find_element(By.ID, "number-counts").text)
        self.fill("country", "XX")
        self.submit("Check the numbers")
        self.assertIn("XX", self.driver.find_element(By.ID, "country-error").text)
        self.fill("default-country", "XX")
        self.submit("Save the default country")
        self.assertIn("XX", self.driver.find_element(By.ID, "default-country-error").text)
        self.fill("default-country", "GB")
        self.submit("Save the default country")
        self.assertIn("National numbers are now read as numbers of GB", self.body())
        self.assertIn("deliverable; not in long format: 447700900006", self.body())
        self.shot("console-sms")
        self.follow("Rewrite 1 number in long format…")
        self.shot("console-sms-fix")
        self.assertIn("07700 900006", self.body())
        self.assertIn("447700900006", self.body())
        self.submit("Fix 1 number")
        self.assertIn("1 number fixed.", self.body())
        self.assertIn("447700900006", self.directory.cli("users", "show", "fay@example.com"))

    def test_14_import_dry_run_then_commit(self):
        path = os.path.join(self.directory.folder, "more.csv")
        with open(path, "w", encoding="utf-8") as file:
            file.write(DIRECTORY + "erin@example.com,Erin Moss,447700900005,Staff\nnot-an-email,Nobody,1,Staff\n")
        self.open("/console/import")
        self.driver.find_element(By.ID, "file").send_keys(path)
        self.submit("Check the file (dry run)")
        self.assertIn("1 row is rejected, so the import would be refused", self.body())
        self.assertEqual(self.driver.find_elements(By.ID, "commit"), [])
        rejection = self.driver.find_element(By.CSS_SELECTOR, "table tbody tr").text
        self.assertTrue(rejection.startswith("8 "), rejection)
        self.open("/console/import")
        self.driver.find_element(By.ID, "file").send_keys(path)
        self.driver.find_element(By.NAME, "allow_partial").click()
        self.submit("Check the file (dry run)")
        self.assertIn("Checked: nothing is written yet", self.body())
        self.assertIn("Users re-enabled", self.body())
        self.shot("console-import-dry-run")
        self.submit("Commit this import")
        self.assertEqual(self.heading(), "Import done")
        self.assertIn("The directory is imported: 1 user created, 1 updated, 0 disabled.", self.body())
        self.assertIn("Erin", self.directory.cli("users", "show", "erin@example.com"))


if __name__ == "__main__":
    result = unittest.main(argv=[sys.argv[0], "-v", *sys.argv[1:]], exit=False).result
    print(f"browser-tests: screenshots in {SCREENSHOTS}", file=sys.stderr)
    sys.exit(0 if result.wasSuccessful() else 1)
