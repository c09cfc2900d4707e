/* The order lifecycle: every allowed transition, and everything else refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/i18n.h"
#include "domain/workflow.h"

/* The specification, written independently of workflow.c's table:
 * "from event roles to", roles as letters m(ember) o(perator)
 * s(ystem) c(a). */
static const char *const allowed[] = {
	"draft confirm m confirmed",
	"draft cancel m cancelled",
	"confirmed cancel m cancelled",
	/* "os": the office, or the system for papers signed electronically (app/sign.c). */
	"confirmed documents os documents_received",
	"confirmed payment os payment_received",
	"confirmed documents_missing o documents_incomplete",
	"documents_received payment os ready",
	"payment_received documents os ready",
	"payment_received documents_missing o documents_incomplete_paid",
	"documents_incomplete documents os documents_received",
	"documents_incomplete payment os documents_incomplete_paid",
	"documents_incomplete_paid documents os ready",
	"ready verify o verified",
	"verified send o sent_to_ca",
	"sent_to_ca issue cs issued",
	"verified ca_refused ocs returned",
	"sent_to_ca ca_refused cs returned",
	"verified reject o rejected",
	"returned send o sent_to_ca",
	"returned new_papers o documents_incomplete_paid",
	"returned return_to_member o returned_to_member",
	"returned cancel o cancelled",
	"returned_to_member confirm m payment_received",
	"returned_to_member cancel mo cancelled",
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
	assert_int_equal(allowed_count, 49);
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

/* The final states, by the specification: nothing leads out of them. */
static int spec_final(int s)
{
	return s == WF_HANDED_OVER || s == WF_REJECTED || s == WF_CANCELLED || s == WF_EXPIRED;
}

/* From every state that is not final some role has an allowed action:
 * no order can end where no one can move it. */
static void test_every_open_state_has_a_way_forward(void **state)
{
	int s, e, r, found;

	for (s = 0; s < WF_STATE__MAX; s++) {
		if (spec_final(s))
			continue;
		found = 0;
		for (e = 0; e < WF_EVENT__MAX; e++)
			for (r = 0; r < 4; r++)
				found |= workflow_next((enum wf_state)s, (enum wf_event)e,
						       roles[r]) >= 0;
		if (!found)
			fail_msg("%s: no role has any action", wf_state_name((enum wf_state)s));
	}
}

/* A final state is reachable from every state (a search over the
 * table by any role), and the table's idea of final is the same. */
static void test_a_final_state_is_reachable_from_every_state(void **state)
{
	int reach[WF_STATE__MAX], s, e, r, t, changed;

	for (s = 0; s < WF_STATE__MAX; s++)
		reach[s] = spec_final(s);
	do {
		changed = 0;
		for (s = 0; s < WF_STATE__MAX; s++)
			for (e = 0; !reach[s] && e < WF_EVENT__MAX; e++)
				for (r = 0; r < 4; r++) {
					t = workflow_next((enum wf_state)s, (enum wf_event)e,
							  roles[r]);
					if (t >= 0 && reach[t]) {
						reach[s] = changed = 1;
						break;
					}
				}
	} while (changed);
	for (s = 0; s < WF_STATE__MAX; s++) {
		if (!reach[s])
			fail_msg("%s: no final state can be reached",
				 wf_state_name((enum wf_state)s));
		assert_int_equal(workflow_final((enum wf_state)s), spec_final(s));
	}
}

/* A refusal by the CA leads where the order can be corrected: the
 * office sends it again, asks for new papers, returns it to the
 * member (who edits and confirms it again) or cancels it. */
static void test_a_refused_order_can_be_corrected(void **state)
{
	enum wf_state returned, to_member;

	assert_int_equal(wf_state_parse("returned", &returned), 0);
	assert_int_equal(wf_state_parse("returned_to_member", &to_member), 0);
	assert_int_equal(workflow_next(WF_SENT_TO_CA, WF_EV_CA_REFUSE, WF_CA), (int)returned);
	assert_int_equal(workflow_next(WF_VERIFIED, WF_EV_CA_REFUSE, WF_OPERATOR), (int)returned);
	assert_true(workflow_editable(to_member, WF_MEMBER));
	assert_true(workflow_editable(returned, WF_OPERATOR));
	assert_true(workflow_editable(WF_DRAFT, WF_MEMBER));
	assert_false(workflow_editable(WF_CONFIRMED, WF_MEMBER));
	assert_false(workflow_editable(returned, WF_MEMBER));
	assert_true(workflow_member_may_cancel(to_member));
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

/* Each state's properties agree with its transitions: a state in an
 * office queue is one where the office (or, for "ca", the CA) can act
 * on the order for that queue's work; a state staff cannot see is one
 * nothing but the member acts on; every label is "state." and the
 * stored name; an invalid state gets nothing. */
static void test_properties_agree_with_transitions(void **state)
{
	static const struct {
		enum wf_queue q;
		enum wf_event ev[2];
		enum wf_role who[2];
	} work[] = {
		{WF_Q_DOCUMENTS, {WF_EV_DOCS_OK, WF_EV_DOCS_OK}, {WF_OPERATOR, WF_OPERATOR}},
		{WF_Q_PAYMENT, {WF_EV_PAYMENT, WF_EV_PAYMENT}, {WF_OPERATOR, WF_OPERATOR}},
		{WF_Q_VERIFY, {WF_EV_VERIFY, WF_EV_VERIFY}, {WF_OPERATOR, WF_OPERATOR}},
		{WF_Q_CA, {WF_EV_SEND, WF_EV_ISSUE}, {WF_OPERATOR, WF_CA}},
		{WF_Q_PICKUP, {WF_EV_ARRIVE, WF_EV_HAND_OVER}, {WF_OPERATOR, WF_OPERATOR}},
	};
	char label[64];

	(void)state;
	for (int s = 0; s < WF_STATE__MAX; s++) {
		const struct wf_props *p = wf_props((enum wf_state)s);

		snprintf(label, sizeof(label), "state.%s", wf_state_name((enum wf_state)s));
		assert_string_equal(p->label, label);
		assert_ptr_equal(wf_props_of(wf_state_name((enum wf_state)s)), p);
		for (size_t i = 0; i < sizeof(work) / sizeof(work[0]); i++) {
			int acts =
				workflow_next((enum wf_state)s, work[i].ev[0], work[i].who[0]) >=
					0 ||
				workflow_next((enum wf_state)s, work[i].ev[1], work[i].who[1]) >= 0;

			/* In the queue exactly when its work can be done: an
			 * order the CA returned is corrected and sent again,
			 * so it stands in the CA's queue on the home page. */
			assert_int_equal((p->queues & work[i].q) != 0, acts);
			assert_true(*wf_queue_name(work[i].q) && *wf_queue_title(work[i].q));
		}
		if (!p->staff)
			for (int e = 0; e < WF_EVENT__MAX; e++)
				assert_true(workflow_next((enum wf_state)s, (enum wf_event)e,
							  WF_OPERATOR | WF_SYSTEM | WF_CA) < 0);
		/* A member prints only what they can no longer change. */
		if (p->editable & WF_MEMBER)
			assert_false(p->printable & WF_MEMBER);
		if (p->final)
			assert_int_equal(p->queues, 0);
	}
	assert_string_equal(wf_props((enum wf_state)WF_STATE__MAX)->label, "state.unknown");
	assert_int_equal(wf_props_of("no-such-state")->printable, 0);
	assert_int_equal(wf_props_of("no-such-state")->staff, 0);
}

/* Every state tells the member where the order is and what comes next,
 * in both languages, under the panel prefix of the state's name; a
 * state's "todo" text, when there is one, in both too. */
static void test_every_state_has_a_member_panel(void **state)
{
	static const enum lang langs[] = {LANG_SR, LANG_EN};
	static const char *const parts[] = {"where", "next", "todo"};
	char err[256], key[96];

	(void)state;
	assert_int_equal(i18n_load(err, sizeof(err)), 0);
	for (int s = 0; s < WF_STATE__MAX; s++) {
		const struct wf_props *p = wf_props((enum wf_state)s);

		snprintf(key, sizeof(key), "panel.%s", wf_state_name((enum wf_state)s));
		assert_string_equal(p->panel, key);
		for (size_t i = 0; i < 3; i++) {
			snprintf(key, sizeof(key), "%s.%s", p->panel, parts[i]);
			for (size_t l = 0; l < 2; l++)
				if (i < 2 || i18n_has(LANG_SR, key))
					assert_true(i18n_has(langs[l], key));
		}
	}
	/* Something to do in every state that waits for the member. */
	for (int s = 0; s < WF_STATE__MAX; s++)
		if (workflow_awaits_documents((enum wf_state)s) ||
		    workflow_awaits_payment((enum wf_state)s) ||
		    workflow_editable((enum wf_state)s, WF_MEMBER)) {
			snprintf(key, sizeof(key), "%s.todo", wf_props((enum wf_state)s)->panel);
			assert_true(i18n_has(LANG_SR, key));
		}
	i18n_free();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_transition_matches_the_specification),
		cmocka_unit_test(test_terminal_states_have_no_way_out),
		cmocka_unit_test(test_member_cannot_cancel_once_processing_started),
		cmocka_unit_test(test_every_open_state_has_a_way_forward),
		cmocka_unit_test(test_a_final_state_is_reachable_from_every_state),
		cmocka_unit_test(test_a_refused_order_can_be_corrected),
		cmocka_unit_test(test_state_names_round_trip),
		cmocka_unit_test(test_properties_agree_with_transitions),
		cmocka_unit_test(test_every_state_has_a_member_panel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
