/* The C baseline for scripts/bench's "codes" case: the inserts and updates a code request
 * and a verification make, one transaction each, same pragmas, no cryptography (random
 * bytes stand in for the HMAC and the sealed body). One request per email in EMAILS.
 * Prints "requests/s verifications/s". */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static sqlite3 *db;
static void check(int code, const char *what) {
    if (code != SQLITE_OK && code != SQLITE_DONE && code != SQLITE_ROW) {
        fprintf(stderr, "codes_baseline: %s: %s\n", what, sqlite3_errmsg(db));
        exit(70);
    }
}
static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *statement;
    check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL), sql);
    return statement;
}
static void run(sqlite3_stmt *statement, const char *what) {
    int code;
    while ((code = sqlite3_step(statement)) == SQLITE_ROW) {}
    check(code, what);
    sqlite3_reset(statement);
}
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: codes_baseline DATABASE EMAILS\n"); return 64; }
    check(sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL), "open");
    sqlite3_busy_timeout(db, 5000);
    check(sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                       NULL, NULL, NULL), "pragmas");
    FILE *file = fopen(argv[2], "r");
    if (!file) { perror(argv[2]); return 66; }
    char (*emails)[128] = malloc(sizeof(*emails) * 1000000);
    int count = 0;
    while (count < 1000000 && fgets(emails[count], 128, file)) { emails[count][strcspn(emails[count], "\n")] = 0; count++; }
    fclose(file);

    sqlite3_stmt *begin = prepare("BEGIN IMMEDIATE"), *commit = prepare("COMMIT");
    sqlite3_stmt *existing = prepare("SELECT id FROM verification_requests WHERE request_id = ?");
    sqlite3_stmt *user = prepare("SELECT id, status FROM users WHERE email = ?");
    sqlite3_stmt *number = prepare("SELECT sms_number FROM users WHERE id = ?");
    sqlite3_stmt *byUser = prepare("SELECT created_at FROM verification_requests WHERE user_id = ? AND purpose = 'two_step' "
                                   "AND created_at > ? AND outbox_id IS NOT NULL ORDER BY created_at");
    sqlite3_stmt *byNumber = prepare("SELECT created_at FROM verification_requests WHERE number = ? AND created_at > ? "
                                     "AND outbox_id IS NOT NULL ORDER BY created_at");
    sqlite3_stmt *supersede = prepare("UPDATE verification_requests SET status = 'superseded', closed_at = ?3 "
                                      "WHERE user_id = ?1 AND purpose = ?2 AND status = 'sent' AND expires_at > ?3");
    sqlite3_stmt *insert = prepare("INSERT INTO verification_requests (request_id, user_id, email, purpose, status, number, "
                                   "code_hmac, key_id, created_at, expires_at, closed_at) "
                                   "VALUES (?, ?, ?, 'two_step', 'sent', ?, randomblob(32), 'k', ?, ?, ?)");
    sqlite3_stmt *enqueue = prepare("INSERT INTO outbox (channel, destination, body, kind, program, user_id, next_attempt_at, "
                                    "created_at, updated_at, sealed_body) VALUES ('sms', ?, '[verification code: sealed]', "
                                    "'verification_code', 'verification', ?, ?, ?, ?, randomblob(120))");
    sqlite3_stmt *attach = prepare("UPDATE verification_requests SET outbox_id = ? WHERE id = ?");
    sqlite3_stmt *lookup = prepare("SELECT id, status, code_hmac, expires_at, attempts FROM verification_requests WHERE request_id = ?");
    sqlite3_stmt *attempt = prepare("UPDATE verification_requests SET attempts = attempts + 1 WHERE id = ?");
    sqlite3_stmt *approve = prepare("UPDATE verification_requests SET status = 'approved', used_at = ?2, closed_at = ?2 WHERE id = ?1");

    char requestID[64];
    long long t = (long long)time(NULL) * 1000;
    double started = now();
    for (int i = 0; i < count; i++) {
        run(begin, "begin");
        snprintf(requestID, sizeof requestID, "base-%d", i);
        sqlite3_bind_text(existing, 1, requestID, -1, SQLITE_STATIC); run(existing, "existing");
        sqlite3_bind_text(user, 1, emails[i], -1, SQLITE_STATIC);
        check(sqlite3_step(user), "user");
        long long userID = sqlite3_column_int64(user, 0);
        sqlite3_reset(user);
        sqlite3_bind_int64(number, 1, userID);
        check(sqlite3_step(number), "number");
        char value[32];
        snprintf(value, sizeof value, "%s", (const char *)sqlite3_column_text(number, 0));
        sqlite3_reset(number);
        sqlite3_bind_int64(byUser, 1, userID); sqlite3_bind_int64(byUser, 2, t - 600000); run(byUser, "by user");
        sqlite3_bind_text(byNumber, 1, value, -1, SQLITE_STATIC); sqlite3_bind_int64(byNumber, 2, t - 3600000); run(byNumber, "by number");
        sqlite3_bind_int64(supersede, 1, userID); sqlite3_bind_text(supersede, 2, "two_step", -1, SQLITE_STATIC);
        sqlite3_bind_int64(supersede, 3, t); run(supersede, "supersede");
        sqlite3_bind_text(insert, 1, requestID, -1, SQLITE_STATIC); sqlite3_bind_int64(insert, 2, userID);
        sqlite3_bind_text(insert, 3, emails[i], -1, SQLITE_STATIC); sqlite3_bind_text(insert, 4, value, -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert, 5, t); sqlite3_bind_int64(insert, 6, t + 600000); sqlite3_bind_int64(insert, 7, t + 600000);
        run(insert, "insert");
        long long requestRow = sqlite3_last_insert_rowid(db);
        sqlite3_bind_text(enqueue, 1, value, -1, SQLITE_STATIC); sqlite3_bind_int64(enqueue, 2, userID);
        sqlite3_bind_int64(enqueue, 3, t); sqlite3_bind_int64(enqueue, 4, t); sqlite3_bind_int64(enqueue, 5, t);
        run(enqueue, "enqueue");
        sqlite3_bind_int64(attach, 1, sqlite3_last_insert_rowid(db)); sqlite3_bind_int64(attach, 2, requestRow);
        run(attach, "attach");
        run(commit, "commit");
    }
    double requests = count / (now() - started);

    started = now();
    for (int i = 0; i < count; i++) {
        run(begin, "begin");
        snprintf(requestID, sizeof requestID, "base-%d", i);
        sqlite3_bind_text(lookup, 1, requestID, -1, SQLITE_STATIC);
        check(sqlite3_step(lookup), "lookup");
        long long row = sqlite3_column_int64(lookup, 0);
        sqlite3_reset(lookup);
        sqlite3_bind_int64(attempt, 1, row); run(attempt, "attempt");
        sqlite3_bind_int64(approve, 1, row); sqlite3_bind_int64(approve, 2, t); run(approve, "approve");
        run(commit, "commit");
    }
    double verifications = count / (now() - started);
    printf("%.0f %.0f\n", requests, verifications);
    sqlite3_close(db);
    return 0;
}
