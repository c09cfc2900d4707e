/* Serbian Latin to Cyrillic (domain/translit.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "domain/translit.h"

static void assert_cyrl(const char *in, const char *want)
{
	char out[512];

	assert_int_equal(translit_cyrl(out, sizeof(out), in, strlen(in)), strlen(want));
	assert_string_equal(out, want);
}

static void test_letters_one_to_one(void **state)
{
	(void)state;
	assert_cyrl("abvgdeđžzijklmnoprstćufhcčš", "абвгдеђжзијклмнопрстћуфхцчш");
	assert_cyrl("ABVGDEĐŽZIJKLMNOPRSTĆUFHCČŠ", "АБВГДЕЂЖЗИЈКЛМНОПРСТЋУФХЦЧШ");
	assert_cyrl("Čačak, Šabac, Đurđevdan, Ćuprija, Žabalj",
		    "Чачак, Шабац, Ђурђевдан, Ћуприја, Жабаљ");
}

static void test_each_digraph_in_each_case(void **state)
{
	(void)state;
	assert_cyrl("ljubav njiva džep", "љубав њива џеп");
	assert_cyrl("Ljubljana Njegoš Džakarta", "Љубљана Његош Џакарта");
	assert_cyrl("LJUBLJANA NJEGOŠ DŽAKARTA", "ЉУБЉАНА ЊЕГОШ ЏАКАРТА");
	assert_cyrl("polje konj hodža", "поље коњ хоџа");
}

static void test_exceptions_split_the_pair(void **state)
{
	(void)state;
	assert_cyrl("nadživeti", "надживети");
	assert_cyrl("Nadživeti", "Надживети");
	assert_cyrl("injekcija INJEKCIJA", "инјекција ИНЈЕКЦИЈА");
	assert_cyrl("konjunktura konjugacija", "конјунктура конјугација");
	assert_cyrl("podžupan odžaliti nadžnjeti", "поджупан оджалити наджњети");
	assert_cyrl("Tanjug vanjezički", "Танјуг ванјезички");
	/* The same letters without the prefix stay one letter. */
	assert_cyrl("odžak konj injekt", "оџак коњ инјект");
	assert_cyrl("svinja konja", "свиња коња");
}

static void test_markup_and_placeholders_are_kept(void **state)
{
	(void)state;
	assert_cyrl("<a href=\"/help\" class=\"link\">Uputstvo</a>",
		    "<a href=\"/help\" class=\"link\">Упутство</a>");
	assert_cyrl("<strong>Napomena:</strong> a&nbsp;b &amp; c &#269;",
		    "<strong>Напомена:</strong> а&nbsp;б &amp; ц &#269;");
	assert_cyrl("Poštovani {name}, porudžbina {order_id} je potvrđena.",
		    "Поштовани {name}, поруџбина {order_id} је потврђена.");
	assert_cyrl("{{@nav.help}} i {{#logged_in}}da{{/logged_in}}",
		    "{{@nav.help}} и {{#logged_in}}да{{/logged_in}}");
	/* A '<' or '&' that starts no markup is a character. */
	assert_cyrl("a < b & c", "а < б & ц");
}

static void test_identifiers_are_kept(void **state)
{
	(void)state;
	assert_cyrl("Pišite na podrska@ikom.rs ili https://portal.example.rs/help danas",
		    "Пишите на podrska@ikom.rs или https://portal.example.rs/help данас");
	assert_cyrl("Posetite www.ikom.org.rs ili ikom.rs.",
		    "Посетите www.ikom.org.rs или ikom.rs.");
	assert_cyrl("licenca IKS-381-05 i broj 9500000001", "лиценца IKS-381-05 и број 9500000001");
	assert_cyrl("IPS QR kod za Windows", "ИПС QR код за Windows");
	/* Foreign abbreviations stay, Serbian ones do not. */
	assert_cyrl("PDF-a, čitač (USB), JMBG i PIB", "PDF-а, читач (USB), ЈМБГ и ПИБ");
	assert_cyrl("PDFa USBx", "ПДФа USBx");
	assert_cyrl("nema Document/BkToCstmrStmt", "нема Document/BkToCstmrStmt");
	assert_cyrl("Demo d.o.o. t.j. dalje", "Демо д.о.о. т.ј. даље");
	/* A file's ending, and the names of programs a member installs. */
	assert_cyrl("sertifikat (DER, .cer) ili .pdf", "сертификат (DER, .cer) или .pdf");
	assert_cyrl("u programu Adobe Acrobat Reader", "у програму Adobe Acrobat Reader");
}

/* Roman numerals stay Latin, as Serbian Cyrillic writes them ("Краља
 * Петра I"); the same capitals as a word, an initial or the sentence's
 * first "I" are letters. */
static void test_roman_numerals_stay_latin(void **state)
{
	(void)state;
	assert_cyrl("Kralja Petra I 21", "Краља Петра I 21");
	assert_cyrl("Kralja Aleksandra I Karađorđevića", "Краља Александра I Карађорђевића");
	assert_cyrl("Petar I je bio kralj", "Петар I је био краљ");
	assert_cyrl("II sprat, XII krug, IV blok, MCMXCIX", "II спрат, XII круг, IV блок, MCMXCIX");
	assert_cyrl("Bulevar (VI) i VII.", "Булевар (VI) и VII.");
	/* Not numerals: invalid sequences, initials, block letters. */
	assert_cyrl("IIII VX IC MIM", "ИИИИ VX ИЦ МИМ");
	assert_cyrl("M. Petrović, V. Jović, I. Ivić", "М. Петровић, В. Јовић, И. Ивић");
	assert_cyrl("Lamela C, ulaz D, blok L, M", "Ламела Ц, улаз Д, блок Л, М");
	/* "I" (and) where a sentence starts, or between capitalised words. */
	assert_cyrl("I tada. I još! I\nI sad", "И тада. И још! И\nИ сад");
	assert_cyrl("JOVAN I MARKO", "ЈОВАН И МАРКО");
	assert_cyrl("Ime i prezime", "Име и презиме");
}

static void test_other_scripts_and_bytes_pass(void **state)
{
	(void)state;
	assert_cyrl("Већ ћирилица · € —", "Већ ћирилица · € —");
	assert_cyrl("", "");
}

static void test_short_room_cuts_between_letters(void **state)
{
	char out[6];

	(void)state;
	/* "ljuba" needs 10 bytes; 5 fit: two letters (4 bytes), never half of one. */
	assert_int_equal(translit_cyrl(out, sizeof(out), "ljuba", 5), 8);
	assert_string_equal(out, "љу");
	assert_int_equal(translit_cyrl(out, 1, "abc", 3), 6);
	assert_string_equal(out, "");
	assert_int_equal(translit_cyrl(NULL, 0, "abc", 3), 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_letters_one_to_one),
		cmocka_unit_test(test_each_digraph_in_each_case),
		cmocka_unit_test(test_exceptions_split_the_pair),
		cmocka_unit_test(test_markup_and_placeholders_are_kept),
		cmocka_unit_test(test_identifiers_are_kept),
		cmocka_unit_test(test_roman_numerals_stay_latin),
		cmocka_unit_test(test_other_scripts_and_bytes_pass),
		cmocka_unit_test(test_short_room_cuts_between_letters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
