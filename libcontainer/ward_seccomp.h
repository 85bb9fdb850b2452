/* SPDX-License-Identifier: Apache-2.0 */
/* Seccomp: the OCI linux.seccomp object compiled with libseccomp into a BPF
 * program, and installed in the container's init (or an exec'd process) as
 * late as possible: after everything ward itself still has to do.
 *
 * The built-in default profile (seccomp-profiles/default.json, embedded in the
 * binary at build time) is an OCI seccomp object whose rules may carry a ward
 * extension, "ward.requiresCaps": ["CAP_X", ...] (other OCI consumers ignore
 * unknown keys): such a rule is only compiled in when every listed capability is
 * in the process's effective set.
 *
 * Compiling costs milliseconds; the result is cached on disk keyed by a hash of
 * everything that decides it (profile text, effective capabilities, native
 * architecture, libseccomp version), so `run` pays it once.
 *
 * Not named seccomp.h: under -I libcontainer that name would shadow libseccomp's
 * own <seccomp.h> for every file (seccomp.c, tests/unit/test-modules.c). */
#ifndef WARD_SECCOMP_H
#define WARD_SECCOMP_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "spec.h"

struct ward_seccomp {
	void *bpf;	     /* struct sock_filter[] */
	size_t len;	     /* number of instructions */
	unsigned int flags;  /* SECCOMP_FILTER_FLAG_* to pass to seccomp(2) */
	bool notify;	     /* a SCMP_ACT_NOTIFY rule exists: install with NEW_LISTENER */
	char *listener_path; /* linux.seccomp.listenerPath, or NULL */
	char *listener_metadata;
};

/* Warnings (unknown syscall names...) go to this callback when not NULL. */
typedef void (*ward_seccomp_warn_fn)(void *ud, const char *msg);

/* Compile an OCI seccomp object (a yajl_val, as kept in spec->linux_.seccomp) for
 * a process whose effective capabilities are eff. strict: unknown syscall names
 * are an error (restricted policy) rather than a warning. Errors name the JSON
 * path: "linux.seccomp.syscalls[3].names[0]: unknown syscall \"foo\"". */
int ward_seccomp_compile(const void *node, uint64_t eff, bool strict, ward_seccomp_warn_fn warn, void *ud,
			 struct ward_seccomp **out, struct ward_error **e);
/* The built-in default profile's JSON text (static). */
const char *ward_seccomp_default_profile(void);
/* Compile the default profile for eff, through the cache in cache_dirfd (a 0700
 * directory in the state root; -1: no cache). */
int ward_seccomp_default(int cache_dirfd, uint64_t eff, struct ward_seccomp **out, struct ward_error **e);
/* Install in the calling thread (no_new_privs must already be set unless the
 * process has CAP_SYS_ADMIN). With notify, returns the listener fd in
 * *notify_fd (else -1). */
int ward_seccomp_install(const struct ward_seccomp *s, int *notify_fd, struct ward_error **e);
void ward_seccomp_free(struct ward_seccomp *s);

#endif
