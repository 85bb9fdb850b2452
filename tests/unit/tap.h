/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal TAP producer for the unit tests: "ok N - name" / "not ok N - name",
 * then "1..N". The exit status is non-zero when any test failed. */
#ifndef WARD_TAP_H
#define WARD_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...)                                                                                          \
	({                                                                                                     \
		int _c = !!(cond);                                                                             \
		printf("%sok %d - ", _c ? "" : "not ", ++tap_n);                                              \
		printf(__VA_ARGS__);                                                                           \
		printf("\n");                                                                                  \
		if (!_c) {                                                                                     \
			tap_failed++;                                                                          \
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);                        \
		}                                                                                              \
		_c;                                                                                            \
	})
#define is_int(got, want, ...)                                                                                 \
	({                                                                                                     \
		long long _g = (long long)(got), _w = (long long)(want);                                       \
		int _r = ok(_g == _w, __VA_ARGS__);                                                            \
		if (!_r)                                                                                       \
			printf("#   got %lld, want %lld\n", _g, _w);                                           \
		_r;                                                                                            \
	})
#define is_str(got, want, ...)                                                                                 \
	({                                                                                                     \
		const char *_g = (got), *_w = (want);                                                          \
		int _r = ok(_g && _w ? strcmp(_g, _w) == 0 : _g == _w, __VA_ARGS__);                           \
		if (!_r)                                                                                       \
			printf("#   got \"%s\", want \"%s\"\n", _g ? _g : "(null)", _w ? _w : "(null)");   \
		_r;                                                                                            \
	})
#define like(got, sub, ...)                                                                                    \
	({                                                                                                     \
		const char *_g = (got), *_s = (sub);                                                           \
		int _r = ok(_g && strstr(_g, _s), __VA_ARGS__);                                                \
		if (!_r)                                                                                       \
			printf("#   \"%s\" does not contain \"%s\"\n", _g ? _g : "(null)", _s);            \
		_r;                                                                                            \
	})

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
