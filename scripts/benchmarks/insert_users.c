/* The C baseline for scripts/bench's "insert" case: the same rows, schema and pragmas as
 * lifeline-bench insert-users, with one prepared statement in one transaction. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void check(sqlite3 *db, int code, const char *what) {
    if (code != SQLITE_OK && code != SQLITE_DONE && code != SQLITE_ROW) {
        fprintf(stderr, "insert_users: %s: %s\n", what, sqlite3_errmsg(db));
        exit(70);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: insert_users DATABASE ROWS\n");
        return 64;
    }
    long rows = atol(argv[2]);
    sqlite3 *db;
    check(NULL, sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL), "open");
    /* The pragmas SQLiteConnection sets by default. */
    check(db, sqlite3_busy_timeout(db, 5000), "busy_timeout");
    check(db, sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; "
                               "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384;",
                           NULL, NULL, NULL), "pragmas");
    sqlite3_stmt *insert;
    check(db, sqlite3_prepare_v3(db,
        "INSERT INTO users (email, display_name, status, created_at, updated_at) VALUES (?, ?, 'active', ?, ?)",
        -1, SQLITE_PREPARE_PERSISTENT, &insert, NULL), "prepare");
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    check(db, sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), "begin");
    char email[64], name[64];
    const long long created_at = 1767225600000LL;
    for (long i = 0; i < rows; i++) {
        int email_length = snprintf(email, sizeof email, "user%ld@example.com", i);
        int name_length = snprintf(name, sizeof name, "User %ld", i);
        sqlite3_bind_text(insert, 1, email, email_length, SQLITE_STATIC);
        sqlite3_bind_text(insert, 2, name, name_length, SQLITE_STATIC);
        sqlite3_bind_int64(insert, 3, created_at + i);
        sqlite3_bind_int64(insert, 4, created_at + i);
        check(db, sqlite3_step(insert), "step");
        sqlite3_reset(insert);
        sqlite3_clear_bindings(insert);
    }
    check(db, sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
    clock_gettime(CLOCK_MONOTONIC, &end);
    sqlite3_finalize(insert);
    sqlite3_close(db);
    printf("%.3f\n", (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9);
    return 0;
}
