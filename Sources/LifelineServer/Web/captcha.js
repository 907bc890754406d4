// The portal's proof-of-work check: a Web Worker finds the nonce the server's challenge asks
// for, off the page's thread, then the form can be sent. No third party is asked anything.
"use strict";
(function () {
  var box = document.getElementById("captcha");
  var status = document.getElementById("captcha-status");
  var challenge = document.getElementById("captcha-challenge");
  var nonce = document.getElementById("captcha-nonce");
  var submit = document.getElementById("reset-submit");
  if (!box || !challenge || !window.Worker) {
    if (status) status.textContent = "This check needs a browser with JavaScript workers; ask your service desk to reset your password.";
    return;
  }
  if (nonce.value) {
    // Solved before the form came back for another field; the server checks it on sending.
    status.textContent = "Check done. You can send the form.";
    submit.disabled = false;
    return;
  }
  status.textContent = "Checking that you are a person… (a few seconds)";
  var worker = new Worker("/static/captcha-worker.js");
  worker.onmessage = function (event) {
    nonce.value = String(event.data.nonce);
    status.textContent = "Check done. You can send the form.";
    submit.disabled = false;
    worker.terminate();
  };
  worker.onerror = function () {
    status.textContent = "The check could not run in this browser; reload the page to try again.";
  };
  worker.postMessage({ challenge: challenge.value, difficulty: Number(box.getAttribute("data-difficulty")) });
})();
