/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "caps.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "util.h"

int ward_cap_from_name(const char *name)
{
	char lower[64];
	cap_value_t v;
	size_t i;

	if (!name || strncasecmp(name, "CAP_", 4) != 0 || strlen(name) >= sizeof lower)
		return -1;
	for (i = 0; name[i]; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	if (cap_from_name(lower, &v) < 0 || v < 0 || v > 63)
		return -1;
	/* cap_from_name also accepts bare numbers ("cap_12" is not one); insist on a real name */
	if (isdigit((unsigned char)lower[4]))
		return -1;
	return v;
}

const char *ward_cap_name(int cap)
{
	static __thread char buf[64];
	char *n;
	size_t i;

	if (cap < 0 || cap > 63)
		return NULL;
	n = cap_to_name((cap_value_t)cap);
	if (!n)
		return NULL;
	if (isdigit((unsigned char)n[0])) { /* libcap prints unknown values as numbers */
		cap_free(n);
		return NULL;
	}
	for (i = 0; n[i] && i < sizeof buf - 1; i++)
		buf[i] = (char)toupper((unsigned char)n[i]);
	buf[i] = '\0';
	cap_free(n);
	return buf;
}

int ward_cap_last(void)
{
	return (int)cap_max_bits() - 1;
}

int ward_caps_drop_bounding(const struct ward_caps *c, struct ward_error **e)
{
	int last = ward_cap_last();

	for (int cap = 0; cap <= last; cap++) {
		if (c->set[WARD_CAP_BOUNDING] & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return ward_err_sys(e, "drop %s from the bounding set", ward_cap_name(cap));
	}
	return 0;
}

int ward_caps_apply(const struct ward_caps *c, struct ward_error **e)
{
	static const struct {
		enum ward_cap_set set;
		cap_flag_t flag;
	} map[] = {{WARD_CAP_EFFECTIVE, CAP_EFFECTIVE},
		   {WARD_CAP_PERMITTED, CAP_PERMITTED},
		   {WARD_CAP_INHERITABLE, CAP_INHERITABLE}};
	int last = ward_cap_last();
	cap_t caps = cap_init(); /* all clear */
	int r = 0;

	if (!caps)
		return ward_err_sys(e, "allocate capability state");
	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		for (int cap = 0; cap <= last; cap++) {
			cap_value_t v = cap;

			if ((c->set[map[i].set] & (1ULL << cap)) &&
			    cap_set_flag(caps, map[i].flag, 1, &v, CAP_SET) < 0) {
				cap_free(caps);
				return ward_err_sys(e, "set %s", ward_cap_name(cap));
			}
		}
	}
	if (cap_set_proc(caps) < 0)
		r = ward_err_sys(e, "set process capabilities");
	cap_free(caps);
	if (r < 0)
		return r;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return ward_err_sys(e, "clear ambient capabilities");
	for (int cap = 0; cap <= last; cap++) {
		if (!(c->set[WARD_CAP_AMBIENT] & (1ULL << cap)))
			continue;
		/* ambient needs the cap in permitted and inheritable; the parser's
		 * caller (policy) reports configs that ask otherwise */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			return ward_err_sys(e, "raise ambient %s", ward_cap_name(cap));
	}
	return 0;
}
