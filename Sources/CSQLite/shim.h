#ifndef LIFELINE_CSQLITE_SHIM_H
#define LIFELINE_CSQLITE_SHIM_H

#include <sqlite3.h>

/// sqlite3_db_config is variadic, which Swift cannot call: this wraps its
/// (int, int*) form, used for SQLITE_DBCONFIG_DEFENSIVE, _DQS_DDL and _DQS_DML.
static inline int lifeline_sqlite3_db_config_int(sqlite3 *db, int op, int value) {
    return sqlite3_db_config(db, op, value, (int *)0);
}

/// SQLITE_TRANSIENT is a cast macro Swift does not import.
static inline sqlite3_destructor_type lifeline_sqlite3_transient(void) {
    return SQLITE_TRANSIENT;
}

#endif
