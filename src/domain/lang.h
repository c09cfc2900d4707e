/*
 * The languages the portal speaks.  Domain data carries a text per
 * language (an office's name, a tariff item's), so the set lives here,
 * below the message catalogue (core/i18n.h) that is indexed by it.
 */
#ifndef QCRA_LANG_H
#define QCRA_LANG_H

/* LANG_SR_CYRL is Serbian in Cyrillic: the Latin texts written in
 * Cyrillic once at load (domain/translit.h), never kept twice in the
 * sources. */
enum lang { LANG_SR, LANG_EN, LANG_SR_CYRL, LANG__MAX };

#endif
