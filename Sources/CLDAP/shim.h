#ifndef LIFELINE_CLDAP_SHIM_H
#define LIFELINE_CLDAP_SHIM_H

#include <sys/time.h>
#include <ldap.h>

/// Cast macros Swift does not import, as values.
static inline ber_int_t lifeline_ldap_scope_subtree(void) { return LDAP_SCOPE_SUBTREE; }
static inline ber_int_t lifeline_ldap_scope_base(void) { return LDAP_SCOPE_BASE; }
static inline const char *lifeline_ldap_sasl_simple(void) { return LDAP_SASL_SIMPLE; }
static inline void *lifeline_ldap_opt_on(void) { return LDAP_OPT_ON; }
static inline void *lifeline_ldap_opt_off(void) { return LDAP_OPT_OFF; }
static inline const char *lifeline_ldap_control_paged_results(void) { return LDAP_CONTROL_PAGEDRESULTS; }

/// ldap_set_option with an int, a string or a timeval, so Swift passes no untyped pointer.
static inline int lifeline_ldap_set_int(LDAP *ld, int option, int value) {
    return ldap_set_option(ld, option, &value);
}
static inline int lifeline_ldap_set_string(LDAP *ld, int option, const char *value) {
    return ldap_set_option(ld, option, value);
}
static inline int lifeline_ldap_set_timeout(LDAP *ld, int option, long seconds) {
    struct timeval value = { seconds, 0 };
    return ldap_set_option(ld, option, &value);
}
/// The connection's diagnostic message (the server's words for a refusal), or NULL; free with ldap_memfree.
static inline char *lifeline_ldap_diagnostic(LDAP *ld) {
    char *message = NULL;
    ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &message);
    return message;
}
/// The connection's last result code.
static inline int lifeline_ldap_result_code(LDAP *ld) {
    int code = 0;
    ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &code);
    return code;
}

#endif
