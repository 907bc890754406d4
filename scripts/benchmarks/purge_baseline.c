/* The C baseline for scripts/bench's "purge" case: the same batched DELETE as
 * `lifeline codes purge`, a fixed number of rows per transaction, until nothing is left to
 * delete. Like lifeline, it times a batch from the moment BEGIN IMMEDIATE holds the write lock
 * to the end of COMMIT, and runs the WAL checkpoint between batches instead of inside COMMIT.
 * Prints "seconds batches slowest_batch_ms". */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: purge_baseline DATABASE BATCH\n"); return 64; }
    sqlite3 *db;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) return 66;
    sqlite3_busy_timeout(db, 30000);
    sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; "
                     "PRAGMA wal_autocheckpoint = 0;", NULL, NULL, NULL);
    sqlite3_stmt *begin, *commit, *purge;
    sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL);
    sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL);
    sqlite3_prepare_v2(db, "DELETE FROM verification_requests WHERE id IN (SELECT id FROM verification_requests "
                           "WHERE closed_at < ? ORDER BY closed_at LIMIT ?)", -1, &purge, NULL);
    long long cutoff = (long long)time(NULL) * 1000 - 86400000LL;
    int batches = 0;
    double started = now(), slowest = 0;
    for (;;) {
        sqlite3_step(begin); sqlite3_reset(begin);
        double batchStarted = now();
        sqlite3_bind_int64(purge, 1, cutoff);
        sqlite3_bind_int64(purge, 2, atol(argv[2]));
        if (sqlite3_step(purge) != SQLITE_DONE) { fprintf(stderr, "purge_baseline: %s\n", sqlite3_errmsg(db)); return 70; }
        sqlite3_reset(purge);
        int deleted = sqlite3_changes(db);
        sqlite3_step(commit); sqlite3_reset(commit);
        double took = now() - batchStarted;
        sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        if (deleted == 0) break;
        batches++;
        if (took > slowest) slowest = took;
        if (deleted < atol(argv[2])) break;
    }
    printf("%.3f %d %.1f\n", now() - started, batches, slowest * 1000);
    sqlite3_close(db);
    return 0;
}
