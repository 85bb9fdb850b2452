/* SPDX-License-Identifier: Apache-2.0 */
/* The CLI's flag parser and signal names (src/flags.c), with tables shaped like
 * the real commands' so that runc's conventions are checked where they matter. */
#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "flags.h"
#include "tap.h"
#include "util.h"

struct opts {
	const char *bundle, *pid_file, *root, *log_format, *rootless;
	bool detach, tty, debug;
	unsigned fds;
	char **env;
};

static const char *const formats[] = {"text", "json", NULL};
static const char *const rootless_values[] = {"true", "false", "auto", NULL};

#define O(f) offsetof(struct opts, f)
static const struct flag_def cmd_flags[] = {
    FLAG("bundle", 'b', FLAG_STRING, O(bundle), "DIR", "bundle"),
    FLAG("pid-file", 0, FLAG_STRING, O(pid_file), "FILE", "pid file"),
    FLAG("detach", 'd', FLAG_BOOL, O(detach), NULL, "detach"),
    FLAG("tty", 't', FLAG_BOOL, O(tty), NULL, "tty"),
    FLAG("env", 'e', FLAG_LIST, O(env), "K=V", "env"),
    FLAG("preserve-fds", 0, FLAG_UINT, O(fds), "N", "fds"),
    {0},
};
static const struct flag_def global_flags[] = {
    FLAG("root", 0, FLAG_STRING, O(root), "DIR", "root"),
    FLAG("debug", 0, FLAG_BOOL, O(debug), NULL, "debug"),
    FLAG("log-format", 0, FLAG_STRING, O(log_format), "FORMAT", "format", .choices = formats),
    FLAG("rootless", 0, FLAG_OPTIONAL, O(rootless), "VALUE", "rootless", .choices = rootless_values,
	 .implicit = "true"),
    {0},
};

/* The parser compacts argv in place, as it does with main's: give it a copy. */
#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})

static struct opts o;
static struct ward_error *err;
static int n;

static int parse_with(const struct flag_def *defs, int stop_after, char **argv)
{
	int argc = 0;

	flags_free(cmd_flags, &o); /* the only table with a list */
	memset(&o, 0, sizeof o);
	ward_error_free(err);
	err = NULL;
	n = -1;
	while (argv[argc])
		argc++;
	return flags_parse(defs, &o, argc, argv, stop_after, &n, &err);
}
#define parse(...)	   parse_with(cmd_flags, 0, ARGV(__VA_ARGS__))
#define parse_exec(...)	   parse_with(cmd_flags, 1, ARGV(__VA_ARGS__))
#define parse_globals(...) parse_with(global_flags, 1, ARGV(__VA_ARGS__))
#define errmsg()	   (err ? err->msg : NULL)

static void test_values(void)
{
	char **a = ARGV("--bundle", "/b", "id");

	is_int(parse_with(cmd_flags, 0, a), 0, "--flag value parses");
	is_str(o.bundle, "/b", "--bundle /b");
	is_int(n, 1, "one positional");
	is_str(a[0], "id", "the positional is compacted to argv[0]");
	ok(a[1] == NULL, "positionals are NULL-terminated");
	parse("--bundle=/b=c", "id");
	is_str(o.bundle, "/b=c", "--flag=value keeps later '=' in the value");
	parse("-b", "/s", "id");
	is_str(o.bundle, "/s", "short alias -b");
	parse("-bundle", "/g", "id");
	is_str(o.bundle, "/g", "one dash before a long name, as Go's flag package");
	parse("--bundle=", "id");
	is_str(o.bundle, "", "--flag= gives an empty value");
	parse("--pid-file", "-x", "id");
	is_str(o.pid_file, "-x", "a value starting with '-' is taken verbatim");
	parse("id", "--bundle", "/late");
	is_str(o.bundle, "/late", "options after the positional are accepted");
	is_int(n, 1, "and are not positionals");
	parse("--preserve-fds", "3", "id");
	is_int(o.fds, 3, "--preserve-fds 3");
	is_int(parse("--preserve-fds=-1", "id"), -1, "a negative count is refused");
	like(errmsg(), "invalid value \"-1\" for --preserve-fds", "with the flag in the message");
	is_int(parse("--preserve-fds", "99999999999", "id"), -1, "a count above UINT_MAX is refused");
}

static void test_bools(void)
{
	parse("--detach", "id");
	ok(o.detach, "--detach");
	parse("-d", "id");
	ok(o.detach, "-d");
	parse("--detach=false", "id");
	ok(!o.detach, "--detach=false");
	parse("--detach=true", "id");
	ok(o.detach, "--detach=true");
	parse("--detach=1", "--tty=F", "id");
	ok(o.detach && !o.tty, "strconv.ParseBool spellings 1 and F");
	parse("--detach", "false");
	ok(o.detach && n == 1, "a bool never takes the next argument");
	is_int(parse("--detach=maybe", "id"), -1, "--detach=maybe is refused");
	is_str(errmsg(), "invalid boolean value \"maybe\" for --detach", "invalid boolean message");
}

static void test_lists_and_end(void)
{
	parse("-e", "A=1", "--env", "B=2", "id", "--env=C=3");
	ok(o.env && strv_len(o.env) == 3, "--env is repeatable (3 values)");
	ok(o.env && strcmp(o.env[0], "A=1") == 0 && strcmp(o.env[2], "C=3") == 0 && !o.env[3],
	   "values in order, NULL-terminated");
	parse("--detach", "--", "--bundle", "x");
	ok(o.detach && !o.bundle, "-- ends the options");
	is_int(n, 2, "what follows -- is positional");
	parse("-", "-9");
	is_int(n, 2, "\"-\" and negative numbers are positionals");
}

static void test_errors(void)
{
	is_int(parse("--foo", "id"), -1, "unknown flag fails");
	is_str(errmsg(), "unknown flag: --foo", "unknown flag message");
	parse("--foo=bar");
	is_str(errmsg(), "unknown flag: --foo", "the value is not part of the unknown flag's name");
	parse("-x");
	is_str(errmsg(), "unknown flag: -x", "unknown short flag as spelled");
	is_int(parse("id", "--bundle"), -1, "missing value fails");
	is_str(errmsg(), "flag needs an argument: --bundle", "missing value message");
	parse("-b");
	is_str(errmsg(), "flag needs an argument: -b", "missing value message names the short alias");
	parse("---x");
	like(errmsg(), "bad flag syntax", "three dashes");
	is_int(parse("id", "--help"), FLAGS_HELP, "--help");
	is_int(parse("-h"), FLAGS_HELP, "-h");
}

static void test_exec_stops(void)
{
	char **a = ARGV("-t", "--env", "X=1", "id", "sh", "-c", "echo -x", "--tty");

	is_int(parse_with(cmd_flags, 1, a), 0, "exec parses");
	ok(o.tty && o.env && strcmp(o.env[0], "X=1") == 0, "exec options before the ID");
	is_int(n, 5, "ID + 4 command words");
	ok(strcmp(a[0], "id") == 0 && strcmp(a[1], "sh") == 0 && strcmp(a[2], "-c") == 0 &&
	       strcmp(a[3], "echo -x") == 0 && strcmp(a[4], "--tty") == 0 && !a[5],
	   "everything after the ID is the command, -c and --tty included");
	parse_exec("id", "--detach");
	ok(!o.detach && n == 2, "a flag after the ID belongs to the command");
	parse_exec("--", "id", "ls");
	is_int(n, 2, "-- before the ID");
}

static void test_globals(void)
{
	char **a = ARGV("--root", "/r", "--debug", "--log-format=json", "create", "--bundle", "/b", "id");

	is_int(parse_with(global_flags, 1, a), 0, "global options parse");
	ok(o.debug && strcmp(o.root, "/r") == 0 && strcmp(o.log_format, "json") == 0, "globals stored");
	is_int(n, 4, "the command and its arguments are left");
	ok(strcmp(a[0], "create") == 0 && strcmp(a[1], "--bundle") == 0, "command options untouched");
	is_int(parse_globals("--log-format", "xml", "list"), -1, "a value outside the choices fails");
	is_str(errmsg(), "invalid value \"xml\" for --log-format: expected text|json", "choices message");
	parse_globals("--rootless=true", "list");
	is_str(o.rootless, "true", "--rootless=true");
	parse_globals("--rootless", "false", "list");
	ok(o.rootless && strcmp(o.rootless, "false") == 0 && n == 1, "--rootless false takes a known value");
	parse_globals("--rootless", "list");
	ok(o.rootless && strcmp(o.rootless, "true") == 0 && n == 1,
	   "bare --rootless does not eat the command");
	is_int(parse_globals("--rootless=maybe", "list"), -1, "--rootless=maybe fails");
}

static void test_signals(void)
{
	static const struct {
		const char *s;
		int sig;
	} good[] = {{"KILL", SIGKILL},
		    {"SIGKILL", SIGKILL},
		    {"kill", SIGKILL},
		    {"SigTerm", SIGTERM},
		    {"9", 9},
		    {"15", 15},
		    {"0", 0},
		    {"HUP", SIGHUP},
		    {"SIGUSR1", SIGUSR1}};
	int sig;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		sig = -1;
		ok(parse_signal(good[i].s, &sig, NULL) == 0 && sig == good[i].sig, "signal %s is %d",
		   good[i].s, good[i].sig);
	}
	ok(parse_signal("SIGRTMIN+1", &sig, NULL) == 0 && sig == SIGRTMIN + 1, "SIGRTMIN+1");
	ok(parse_signal("rtmax-2", &sig, NULL) == 0 && sig == SIGRTMAX - 2, "rtmax-2");
	ok(parse_signal("RTMIN", &sig, NULL) == 0 && sig == SIGRTMIN, "RTMIN");
	ward_error_free(err);
	err = NULL;
	is_int(parse_signal("FOO", &sig, &err), -1, "FOO is not a signal");
	is_str(errmsg(), "invalid signal \"FOO\"", "invalid signal message");
	ok(parse_signal("SIGRTMIN+999", &sig, NULL) < 0, "SIGRTMIN+999 is out of range");
	ok(parse_signal("65", &sig, NULL) < 0, "65 is above SIGRTMAX");
	ok(parse_signal("", &sig, NULL) < 0, "empty");
	ok(parse_signal("-9", &sig, NULL) < 0, "-9");
	ok(parse_signal("SIG", &sig, NULL) < 0, "SIG alone");
}

int main(void)
{
	test_values();
	test_bools();
	test_lists_and_end();
	test_errors();
	test_exec_stops();
	test_globals();
	test_signals();
	flags_free(cmd_flags, &o);
	ward_error_free(err);
	return tap_done();
}
