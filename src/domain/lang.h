/*
 * The languages the portal speaks.  Domain data carries a text per
 * language (an office's name, a tariff item's), so the set lives here,
 * below the message catalogue (core/i18n.h) that is indexed by it.
 */
#ifndef QCRA_LANG_H
#define QCRA_LANG_H

enum lang { LANG_SR, LANG_EN, LANG__MAX };

#endif
