/* SPDX-License-Identifier: Apache-2.0 */
/* A small table-driven command line parser with the conventions runc's users
 * and engines rely on (Go's flag package under urfave/cli):
 *   --name value, --name=value, -s value; one or two dashes are equivalent;
 *   bools take no separate argument but accept --name=true|false;
 *   a value is taken verbatim even when it starts with '-';
 *   "--" ends the options; -h/--help is recognised unless the table defines it.
 * Unlike Go's flag package, options may follow positional arguments (unless the
 * caller asks to stop after N positionals, as `exec ID CMD...` and the global
 * options before the command need).
 * This file depends only on libc and error/util so that the unit test links it
 * without the rest of the CLI. */
#ifndef WARD_FLAGS_H
#define WARD_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"

enum flag_type {
	FLAG_BOOL,     /* bool: --x, --x=true|false */
	FLAG_STRING,   /* const char *: --x V, --x=V (checked against choices when set) */
	FLAG_UINT,     /* unsigned: a decimal in 0..UINT_MAX */
	FLAG_LIST,     /* char **: repeatable, NULL-terminated, the array is malloc'd */
	FLAG_OPTIONAL, /* const char *: --x=V, or --x V when V is one of choices, else `implicit` */
};

struct flag_def {
	const char *name; /* long name without dashes; NULL ends the table */
	char short_name;  /* 0: none */
	enum flag_type type;
	size_t offset;		    /* of the destination in the options struct */
	const char *metavar;	    /* "DIR" in the help text */
	const char *help;	    /* one line */
	const char *const *choices; /* NULL-terminated accepted values, or NULL: anything */
	const char *implicit;	    /* FLAG_OPTIONAL: the value of the bare flag */
};

/* A table row. Designated initializers keep the tables short (choices and
 * implicit go in the variadic part: `.choices = formats`) and warning-free. */
#define FLAG(name_, short_, type_, offset_, metavar_, help_, ...)                                            \
	{                                                                                                    \
		.name = (name_), .short_name = (short_), .type = (type_), .offset = (offset_),               \
		.metavar = (metavar_), .help = (help_), __VA_ARGS__                                          \
	}

#define FLAGS_HELP 1 /* flags_parse: -h/--help was given */

/* Parse argv[0..argc) (argv[argc] must be NULL, as in main) into opts. On return
 * argv[0..*npos) are the positional arguments in order and argv[*npos] is NULL;
 * option values point into the original strings. stop_after > 0 ends option
 * parsing after that many positionals: the rest is returned untouched.
 * Returns 0, FLAGS_HELP, or -1 with *e set ("unknown flag: --foo",
 * "flag needs an argument: --bundle", "invalid value ..."). */
int flags_parse(const struct flag_def *defs, void *opts, int argc, char **argv, int stop_after, int *npos,
		struct ward_error **e);
/* Free what flags_parse allocated in opts (the FLAG_LIST arrays). */
void flags_free(const struct flag_def *defs, void *opts);
/* The options part of a usage text, one flag a line, -h/--help last. */
void flags_print_help(FILE *f, const struct flag_def *defs);

/* A signal as `kill` accepts it: a number (0..SIGRTMAX) or a name with or
 * without the SIG prefix in any case (KILL, SIGkill, RTMIN+3, SIGRTMAX-1).
 * Returns 0, or -1 with *e = `invalid signal "NAME"`. */
int parse_signal(const char *s, int *sig, struct ward_error **e);

#endif
