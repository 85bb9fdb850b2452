/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "flags.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static void *field(void *opts, const struct flag_def *d)
{
	return (char *)opts + d->offset;
}

static const struct flag_def *lookup(const struct flag_def *defs, const char *name, size_t len)
{
	for (const struct flag_def *d = defs; d && d->name; d++) {
		/* Go's flag package registers aliases as separate names, so "-b",
		 * "--b", "-bundle" and "--bundle" are all the same flag. */
		if (len == 1 && d->short_name == name[0])
			return d;
		if (strlen(d->name) == len && memcmp(d->name, name, len) == 0)
			return d;
	}
	return NULL;
}

/* strconv.ParseBool's spellings, case-insensitively. */
static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "t", "true"}, *const no[] = {"0", "f", "false"};

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0 || strcasecmp(s, no[i]) == 0) {
			*out = strcasecmp(s, yes[i]) == 0;
			return 0;
		}
	}
	return -1;
}

static bool in_choices(const char *const *choices, const char *v)
{
	for (; *choices; choices++)
		if (strcmp(*choices, v) == 0)
			return true;
	return false;
}

static int bad_choice(const char *flag, const char *v, const char *const *choices, struct ward_error **e)
{
	char want[256] = "";
	size_t n = 0;

	for (; *choices && n < sizeof want; choices++)
		n += (size_t)snprintf(want + n, sizeof want - n, "%s%s", n ? "|" : "", *choices);
	return ward_err(e, EINVAL, "invalid value \"%s\" for %s: expected %s", v, flag, want);
}

static int append(char ***list, char *v)
{
	size_t n = strv_len(*list);

	*list = xrealloc(*list, (n + 2) * sizeof **list);
	(*list)[n] = v;
	(*list)[n + 1] = NULL;
	return 0;
}

/* Store one value; `flag` is the option as the user spelled it, for messages. */
static int store(const struct flag_def *d, void *opts, const char *flag, char *v, struct ward_error **e)
{
	uint64_t u;

	if (d->choices && (d->type == FLAG_STRING || d->type == FLAG_OPTIONAL) && !in_choices(d->choices, v))
		return bad_choice(flag, v, d->choices, e);
	switch (d->type) {
	case FLAG_BOOL:
		if (parse_bool(v, field(opts, d)) < 0)
			return ward_err(e, EINVAL, "invalid boolean value \"%s\" for %s", v, flag);
		return 0;
	case FLAG_STRING:
	case FLAG_OPTIONAL:
		*(const char **)field(opts, d) = v;
		return 0;
	case FLAG_UINT:
		if (parse_u64(v, &u) < 0 || u > UINT_MAX)
			return ward_err(e, EINVAL,
					"invalid value \"%s\" for %s: expected a non-negative integer", v,
					flag);
		*(unsigned *)field(opts, d) = (unsigned)u;
		return 0;
	case FLAG_LIST:
		return append(field(opts, d), v);
	}
	return ward_err(e, EINVAL, "%s: bad flag table", flag);
}

/* Parse the option at argv[0]; argv[1] (possibly NULL) may be its value.
 * Returns the number of arguments used (1 or 2), FLAGS_HELP as 0, or -1. */
static int parse_option(const struct flag_def *defs, void *opts, char **argv, struct ward_error **e)
{
	char *arg = argv[0], *name = arg[1] == '-' ? arg + 2 : arg + 1;
	char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	int flen = (int)(name - arg + (ptrdiff_t)len); /* the option without "=value" */
	char flag[128];
	const struct flag_def *d;

	if (len == 0 || name[0] == '-' || name[0] == '=')
		return ward_err(e, EINVAL, "bad flag syntax: %s", arg);
	snprintf(flag, sizeof flag, "%.*s", flen, arg);
	d = lookup(defs, name, len);
	if (!d && ((len == 1 && name[0] == 'h') || (len == 4 && memcmp(name, "help", 4) == 0)))
		return 0;
	if (!d)
		return ward_err(e, EINVAL, "unknown flag: %s", flag);
	if (eq)
		return store(d, opts, flag, eq + 1, e) < 0 ? -1 : 1;
	switch (d->type) {
	case FLAG_BOOL:
		*(bool *)field(opts, d) = true;
		return 1;
	case FLAG_OPTIONAL:
		/* Only a recognised value is taken from the next argument, so a bare
		 * `--rootless create ...` still means --rootless=<implicit>. */
		if (argv[1] && d->choices && in_choices(d->choices, argv[1]))
			return store(d, opts, flag, argv[1], e) < 0 ? -1 : 2;
		*(const char **)field(opts, d) = d->implicit;
		return 1;
	default:
		if (!argv[1])
			return ward_err(e, EINVAL, "flag needs an argument: %s", flag);
		return store(d, opts, flag, argv[1], e) < 0 ? -1 : 2;
	}
}

/* "-" (stdin by convention) and negative numbers are arguments, not options. */
static bool is_option(const char *arg)
{
	return arg[0] == '-' && arg[1] != '\0' && !(arg[1] >= '0' && arg[1] <= '9');
}

int flags_parse(const struct flag_def *defs, void *opts, int argc, char **argv, int stop_after, int *npos,
		struct ward_error **e)
{
	int i = 0, n = 0;

	/* Positionals are compacted to the front of argv as we go: the write
	 * index never passes the read index, so nothing unread is overwritten. */
	while (i < argc && (stop_after <= 0 || n < stop_after)) {
		int used;

		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (!is_option(argv[i])) {
			argv[n++] = argv[i++];
			continue;
		}
		used = parse_option(defs, opts, argv + i, e);
		if (used < 0)
			return -1;
		if (used == 0)
			return FLAGS_HELP;
		i += used;
	}
	while (i < argc)
		argv[n++] = argv[i++];
	argv[n] = NULL;
	*npos = n;
	return 0;
}

void flags_free(const struct flag_def *defs, void *opts)
{
	for (const struct flag_def *d = defs; d && d->name; d++) {
		if (d->type == FLAG_LIST) {
			char ***list = field(opts, d);

			free(*list);
			*list = NULL;
		}
	}
}

static int format_left(char *buf, size_t size, const struct flag_def *d)
{
	char sh[8] = "    ";
	const char *meta = d->metavar ? d->metavar : "VALUE";

	if (d->short_name)
		snprintf(sh, sizeof sh, "-%c, ", d->short_name);
	if (d->type == FLAG_BOOL)
		return snprintf(buf, size, "  %s--%s", sh, d->name);
	if (d->type == FLAG_OPTIONAL)
		return snprintf(buf, size, "  %s--%s[=%s]", sh, d->name, meta);
	return snprintf(buf, size, "  %s--%s %s%s", sh, d->name, meta, d->type == FLAG_LIST ? "..." : "");
}

void flags_print_help(FILE *f, const struct flag_def *defs)
{
	static const struct flag_def help = {.name = "help", .short_name = 'h', .help = "show help"};
	char left[128];
	int width = 0;

	for (const struct flag_def *d = defs; d && d->name; d++) {
		int n = format_left(left, sizeof left, d);

		width = n > width ? n : width;
	}
	width = width < 20 ? 22 : width + 2;
	for (const struct flag_def *d = defs; d && d->name; d++) {
		format_left(left, sizeof left, d);
		fprintf(f, "%-*s%s\n", width, left, d->help ? d->help : "");
	}
	if (!lookup(defs, "help", 4)) {
		format_left(left, sizeof left, &help);
		fprintf(f, "%-*s%s\n", width, left, help.help);
	}
}

static const struct {
	const char *name;
	int sig;
} signal_names[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},	      {"QUIT", SIGQUIT},     {"ILL", SIGILL},	{"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"IOT", SIGIOT},	      {"BUS", SIGBUS},	     {"FPE", SIGFPE},	{"KILL", SIGKILL},
    {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},     {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},     {"CLD", SIGCHLD},	{"CONT", SIGCONT},
    {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},
    {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},	     {"SYS", SIGSYS},
};

/* RTMIN, RTMIN+N, RTMAX, RTMAX-N (as kill(1) and Go's x/sys spell them). The
 * real-time range is only known at run time: glibc reserves the first ones. */
static int parse_rt(const char *s, int *sig)
{
	bool min = strncasecmp(s, "RTMIN", 5) == 0;
	uint64_t off = 0;

	if (!min && strncasecmp(s, "RTMAX", 5) != 0)
		return -1;
	s += 5;
	if (*s) {
		if (*s != (min ? '+' : '-') || parse_u64(s + 1, &off) < 0 ||
		    off > (uint64_t)(SIGRTMAX - SIGRTMIN))
			return -1;
	}
	*sig = min ? SIGRTMIN + (int)off : SIGRTMAX - (int)off;
	return 0;
}

int parse_signal(const char *s, int *sig, struct ward_error **e)
{
	const char *name = s;
	uint64_t n;

	if (parse_u64(s, &n) == 0) {
		if (n > (uint64_t)SIGRTMAX)
			return ward_err(e, EINVAL, "invalid signal \"%s\"", s);
		*sig = (int)n;
		return 0;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++) {
		if (strcasecmp(name, signal_names[i].name) == 0) {
			*sig = signal_names[i].sig;
			return 0;
		}
	}
	if (parse_rt(name, sig) == 0)
		return 0;
	return ward_err(e, EINVAL, "invalid signal \"%s\"", s);
}
