/* The minimal-schema baseline for scripts/bench's import case: the generator's CSV (no quoted
 * fields) loaded into the least schema that holds the same rows (users by email, their
 * attribute values, groups and memberships: primary keys and the email's uniqueness, no
 * secondary index, no CHECK), in one transaction with a 256 MiB page cache. What a bulk load
 * of this data could cost at best; `import_baseline.c` is the floor over Lifeline's own schema. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sqlite3 *db;

static void check(int code, const char *what) {
    if (code != SQLITE_OK && code != SQLITE_DONE && code != SQLITE_ROW) {
        fprintf(stderr, "minimal_loader: %s: %s\n", what, sqlite3_errmsg(db));
        exit(70);
    }
}

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *statement;
    check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL), sql);
    return statement;
}

static void run(sqlite3_stmt *statement, const char *what) {
    check(sqlite3_step(statement), what);
    sqlite3_reset(statement);
}

#define MAX_GROUPS 1024
static char *group_names[MAX_GROUPS];
static sqlite3_int64 group_ids[MAX_GROUPS];
static int group_count;

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: minimal_loader NEW-DATABASE FILE.csv\n");
        return 64;
    }
    check(sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL), "open");
    check(sqlite3_exec(db,
                       "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -262144;"
                       "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL COLLATE NOCASE UNIQUE, name TEXT);"
                       "CREATE TABLE user_attributes (user_id INTEGER NOT NULL, attribute_id INTEGER NOT NULL, value TEXT NOT NULL,"
                       "  PRIMARY KEY (user_id, attribute_id)) WITHOUT ROWID;"
                       "CREATE TABLE groups (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
                       "CREATE TABLE group_memberships (group_id INTEGER NOT NULL, user_id INTEGER NOT NULL,"
                       "  PRIMARY KEY (group_id, user_id)) WITHOUT ROWID;",
                       NULL, NULL, NULL), "schema");
    FILE *input = fopen(argv[2], "r");
    if (!input) { perror(argv[2]); return 66; }
    sqlite3_stmt *insert_user = prepare("INSERT INTO users (email, name) VALUES (?, ?)");
    sqlite3_stmt *insert_value = prepare("INSERT INTO user_attributes (user_id, attribute_id, value) VALUES (?, ?, ?)");
    sqlite3_stmt *insert_group = prepare("INSERT INTO groups (name) VALUES (?)");
    sqlite3_stmt *insert_member = prepare("INSERT INTO group_memberships (group_id, user_id) VALUES (?, ?)");
    check(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), "begin");
    char line[8192];
    if (!fgets(line, sizeof line, input)) return 65; /* header */
    while (fgets(line, sizeof line, input)) {
        size_t length = strlen(line);
        while (length && (line[length - 1] == '\n' || line[length - 1] == '\r')) line[--length] = 0;
        char *fields[5] = {0};
        char *cursor = line;
        for (int i = 0; i < 5; i++) {
            fields[i] = cursor;
            char *comma = i < 4 ? strchr(cursor, ',') : NULL;
            if (comma) { *comma = 0; cursor = comma + 1; } else if (i < 4) { fprintf(stderr, "bad line\n"); return 65; }
        }
        sqlite3_bind_text(insert_user, 1, fields[0], -1, SQLITE_STATIC);
        sqlite3_bind_text(insert_user, 2, fields[1], -1, SQLITE_STATIC);
        run(insert_user, "insert user");
        sqlite3_int64 user_id = sqlite3_last_insert_rowid(db);
        for (int a = 0; a < 2; a++) {
            if (!*fields[2 + a]) continue;
            sqlite3_bind_int64(insert_value, 1, user_id);
            sqlite3_bind_int64(insert_value, 2, a + 1);
            sqlite3_bind_text(insert_value, 3, fields[2 + a], -1, SQLITE_STATIC);
            run(insert_value, "insert value");
        }
        for (char *name = strtok(fields[4], ";"); name; name = strtok(NULL, ";")) {
            sqlite3_int64 group_id = 0;
            for (int g = 0; g < group_count; g++) if (!strcmp(group_names[g], name)) { group_id = group_ids[g]; break; }
            if (!group_id) {
                sqlite3_bind_text(insert_group, 1, name, -1, SQLITE_STATIC);
                run(insert_group, "insert group");
                group_id = sqlite3_last_insert_rowid(db);
                if (group_count < MAX_GROUPS) { group_names[group_count] = strdup(name); group_ids[group_count++] = group_id; }
            }
            sqlite3_bind_int64(insert_member, 1, group_id);
            sqlite3_bind_int64(insert_member, 2, user_id);
            run(insert_member, "insert membership");
        }
    }
    check(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), "commit");
    sqlite3_finalize(insert_user); sqlite3_finalize(insert_value);
    sqlite3_finalize(insert_group); sqlite3_finalize(insert_member);
    sqlite3_close(db);
    return 0;
}
