/* The order lifecycle: every allowed transition, and everything else refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "domain/workflow.h"

/* The specification, written independently of workflow.c's table:
 * "from event roles to", roles as letters m(ember) o(perator)
 * s(ystem) c(a). */
static const char *const allowed[] = {
	"draft confirm m confirmed",
	"draft cancel m cancelled",
	"confirmed cancel m cancelled",
	"confirmed documents o documents_received",
	"confirmed payment os payment_received",
	"confirmed documents_missing o documents_incomplete",
	"documents_received payment os ready",
	"payment_received documents o ready",
	"payment_received documents_missing o documents_incomplete_paid",
	"documents_incomplete documents o documents_received",
	"documents_incomplete payment os documents_incomplete_paid",
	"documents_incomplete_paid documents o ready",
	"ready verify o verified",
	"verified send o sent_to_ca",
	"sent_to_ca issue cs issued",
	"sent_to_ca ca_refused cs verified",
	"issued arrive o at_office",
	"at_office hand_over o handed_over",
	"confirmed reject o rejected",
	"documents_received reject o rejected",
	"payment_received reject o rejected",
	"ready reject o rejected",
	"documents_incomplete reject o rejected",
	"documents_incomplete_paid reject o rejected",
	"confirmed expire s expired",
	"documents_received expire s expired",
	"payment_received expire s expired",
	"documents_incomplete expire s expired",
	"documents_incomplete_paid expire s expired",
};

static const enum wf_role roles[] = {WF_MEMBER, WF_OPERATOR, WF_SYSTEM, WF_CA};
static const char role_letters[] = "mosc";

/* The expected target of (s, e, r) per the specification, or -1. */
static int expected(enum wf_state s, enum wf_event e, int ri)
{
	char from[32], ev[32], who[8], to[32];
	enum wf_state t;
	size_t i;

	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		assert_int_equal(sscanf(allowed[i], "%31s %31s %7s %31s", from, ev, who, to), 4);
		if (strcmp(from, wf_state_name(s)) == 0 && strcmp(ev, wf_event_name(e)) == 0 &&
		    strchr(who, role_letters[ri]) != NULL) {
			assert_int_equal(wf_state_parse(to, &t), 0);
			return (int)t;
		}
	}
	return -1;
}

static void test_every_transition_matches_the_specification(void **state)
{
	int s, e, r, allowed_count = 0;

	for (s = 0; s < WF_STATE__MAX; s++)
		for (e = 0; e < WF_EVENT__MAX; e++)
			for (r = 0; r < 4; r++) {
				int want = expected((enum wf_state)s, (enum wf_event)e, r);
				int got =
					workflow_next((enum wf_state)s, (enum wf_event)e, roles[r]);

				if (want != got)
					fprintf(stderr, "%s --%s/%c--> want %d got %d\n",
						wf_state_name((enum wf_state)s),
						wf_event_name((enum wf_event)e), role_letters[r],
						want, got);
				assert_int_equal(want, got);
				allowed_count += got >= 0;
			}
	assert_int_equal(allowed_count, 34);
}

static void test_terminal_states_have_no_way_out(void **state)
{
	const enum wf_state terminal[] = {WF_HANDED_OVER, WF_REJECTED, WF_CANCELLED, WF_EXPIRED};
	size_t i;
	int e, r;

	for (i = 0; i < 4; i++)
		for (e = 0; e < WF_EVENT__MAX; e++)
			for (r = 0; r < 4; r++)
				assert_int_equal(
					workflow_next(terminal[i], (enum wf_event)e, roles[r]), -1);
}

static void test_member_cannot_cancel_once_processing_started(void **state)
{
	assert_true(workflow_member_may_cancel(WF_DRAFT));
	assert_true(workflow_member_may_cancel(WF_CONFIRMED));
	assert_false(workflow_member_may_cancel(WF_DOCS_RECEIVED));
	assert_false(workflow_member_may_cancel(WF_PAID));
	assert_false(workflow_member_may_cancel(WF_SENT_TO_CA));
}

static void test_state_names_round_trip(void **state)
{
	enum wf_state t;
	int s;

	for (s = 0; s < WF_STATE__MAX; s++) {
		assert_int_equal(wf_state_parse(wf_state_name((enum wf_state)s), &t), 0);
		assert_int_equal(t, s);
	}
	assert_int_equal(wf_state_parse("bogus", &t), -1);
	assert_int_equal(wf_state_parse(NULL, &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_transition_matches_the_specification),
		cmocka_unit_test(test_terminal_states_have_no_way_out),
		cmocka_unit_test(test_member_cannot_cancel_once_processing_started),
		cmocka_unit_test(test_state_names_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
