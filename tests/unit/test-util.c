/* SPDX-License-Identifier: Apache-2.0 */
/* util.c and error.c. */
#include "config.h"
#include "error.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <regex.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

static void test_parse(void)
{
	uint64_t u = 7;
	int64_t i = 7;

	ok(parse_u64("0", &u) == 0 && u == 0, "parse_u64 0");
	ok(parse_u64("18446744073709551615", &u) == 0 && u == UINT64_MAX, "parse_u64 max");
	errno = 0;
	ok(parse_u64("18446744073709551616", &u) < 0 && errno == ERANGE, "parse_u64 overflow is ERANGE");
	errno = 0;
	ok(parse_u64("-1", &u) < 0 && errno == EINVAL, "parse_u64 refuses a sign");
	errno = 0;
	ok(parse_u64("+1", &u) < 0 && errno == EINVAL, "parse_u64 refuses a plus sign");
	errno = 0;
	ok(parse_u64(" 1", &u) < 0 && errno == EINVAL, "parse_u64 refuses leading space");
	errno = 0;
	ok(parse_u64("12abc", &u) < 0 && errno == EINVAL, "parse_u64 refuses trailing junk");
	errno = 0;
	ok(parse_u64("", &u) < 0 && errno == EINVAL, "parse_u64 refuses empty");
	ok(parse_u64(NULL, &u) < 0, "parse_u64 refuses NULL");
	ok(parse_i64("-9223372036854775808", &i) == 0 && i == INT64_MIN, "parse_i64 min");
	ok(parse_i64("9223372036854775807", &i) == 0 && i == INT64_MAX, "parse_i64 max");
	errno = 0;
	ok(parse_i64("9223372036854775808", &i) < 0 && errno == ERANGE, "parse_i64 overflow is ERANGE");
	errno = 0;
	ok(parse_i64("", &i) < 0 && errno == EINVAL, "parse_i64 refuses empty");
	errno = 0;
	ok(parse_i64("1 ", &i) < 0 && errno == EINVAL, "parse_i64 refuses trailing space");
	ok(parse_i64("-42", &i) == 0 && i == -42, "parse_i64 negative");
}

static void test_container_id(void)
{
	char long_id[1026];

	ok(valid_container_id("abc-DEF_0.9+x"), "valid id with every allowed class");
	ok(!valid_container_id(""), "empty id refused");
	ok(!valid_container_id(NULL), "NULL id refused");
	ok(!valid_container_id(".hidden"), "id starting with a dot refused");
	ok(!valid_container_id(".."), "\"..\" refused");
	ok(!valid_container_id("a/b"), "id with a slash refused");
	ok(!valid_container_id("a b"), "id with a space refused");
	ok(!valid_container_id("a\nb"), "id with a newline refused");
	memset(long_id, 'a', 1024);
	long_id[1024] = '\0';
	ok(valid_container_id(long_id), "1024-character id accepted");
	long_id[1024] = 'a';
	long_id[1025] = '\0';
	ok(!valid_container_id(long_id), "1025-character id refused");
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

static void test_files(const char *tmp)
{
	int dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct ward_error *e = NULL;
	char big[5000], *out = NULL;
	size_t len = 0;
	struct stat st;

	memset(big, 'x', sizeof big);
	ok(write_file_atomic(dfd, "data", big, sizeof big, 0600, &e) == 0, "write_file_atomic");
	ok(count_entries(tmp) == 1, "write_file_atomic leaves no temp file");
	ok(fstatat(dfd, "data", &st, 0) == 0 && (st.st_mode & 07777) == 0600 && st.st_size == 5000,
	   "written file has the mode and size");
	ok(read_file_at(dfd, "data", 5000, &out, &len, &e) == 0 && len == 5000 && out[5000] == '\0',
	   "read_file_at at exactly the limit, NUL-terminated");
	free(out);
	out = NULL;
	ok(read_file_at(dfd, "data", 4999, &out, &len, &e) < 0 && e && e->code == EFBIG,
	   "read_file_at over the limit is EFBIG");
	like(e ? e->msg : NULL, "data", "EFBIG message names the file");
	ward_error_free(e);
	e = NULL;
	ok(read_file_at(dfd, "missing", 10, &out, &len, &e) < 0 && e && e->code == ENOENT,
	   "read_file_at missing is ENOENT");
	is_str(e ? e->msg : NULL, "open missing: ENOENT", "ENOENT message");
	ward_error_free(e);
	e = NULL;
	ok(write_file_atomic(dfd, "data", "short", 5, 0600, &e) == 0 && count_entries(tmp) == 1,
	   "overwrite is atomic and leaves one file");
	ok(read_file_at(dfd, "data", 100, &out, NULL, &e) == 0 && strcmp(out, "short") == 0,
	   "overwritten content");
	free(out);
	unlinkat(dfd, "data", 0);
	close(dfd);
}

static void test_proc(void)
{
	pid_t child;
	int status;

	ok(proc_start_time(getpid()) > 0, "proc_start_time of self is non-zero");
	ok(proc_state(getpid()) == 'R', "proc_state of self is R");
	ok(proc_start_time(0) == 0 && proc_start_time(-1) == 0, "proc_start_time of a bad pid is 0");
	child = fork();
	if (child == 0)
		_exit(0);
	for (int i = 0; i < 5000 && proc_state(child) != 'Z'; i++)
		usleep(1000);
	ok(proc_state(child) == 'Z', "an unreaped child is Z");
	waitpid(child, &status, 0);
	ok(proc_start_time(child) == 0, "proc_start_time of a reaped child is 0");
	ok(proc_state(child) == 0, "proc_state of a reaped child is 0");
}

static void test_time(void)
{
	char *t = rfc3339_now();
	regex_t re;

	regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$",
		REG_EXTENDED | REG_NOSUB);
	ok(regexec(&re, t, 0, NULL, 0) == 0, "rfc3339_now format: %s", t);
	regfree(&re);
	free(t);
}

static void test_errors(void)
{
	struct ward_error *e = NULL;

	ok(ward_err(&e, EINVAL, "first %d", 1) == -1, "ward_err returns -1");
	ward_err(&e, EPERM, "second");
	is_str(e->msg, "first 1", "ward_err keeps the first error");
	is_int(e->code, EINVAL, "ward_err keeps the first code");
	ward_err_prefix(&e, "ctx %s", "x");
	is_str(e->msg, "ctx x: first 1", "ward_err_prefix prefixes");
	ward_error_free(e);
	e = NULL;

	errno = ENOENT;
	ok(ward_err_sys(&e, "open %s", "/nope") == -1 && errno == ENOENT, "ward_err_sys keeps errno");
	is_str(e->msg, "open /nope: ENOENT", "ward_err_sys appends the errno name");
	is_int(e->code, ENOENT, "ward_err_sys takes the code from errno");
	ward_error_free(e);
	e = NULL;

	ward_err_errno(&e, EBUSY, "rmdir %s", "x");
	is_str(e->msg, "rmdir x: EBUSY", "ward_err_errno");
	ward_error_free(e);
	e = NULL;

	ok(ward_err(NULL, EINVAL, "ignored") == -1, "ward_err with NULL is harmless");
	ok(ward_err_prefix(&e, "nothing") == -1 && e == NULL,
	   "ward_err_prefix without an error does nothing");
	is_str(ward_errno_name(EPERM), "EPERM", "ward_errno_name(EPERM)");
	is_str(ward_errno_name(4242), "errno 4242", "ward_errno_name of an unknown value");
	is_str(ward_errno_name(0), "errno 0", "ward_errno_name(0)");
}

int main(void)
{
	char tmp[] = "/tmp/ward-test-util.XXXXXX";

	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 99;
	}
	test_parse();
	test_container_id();
	test_files(tmp);
	test_proc();
	test_time();
	test_errors();
	rmdir(tmp);
	return tap_done();
}
