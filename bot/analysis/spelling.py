"""British and American spellings of one word, folded to one form before stemming.

A question typed "color", "randomized" or "anemia" should find a document that
writes "colour", "randomised" or "anaemia", and the other way round. The rules
cover the regular variant classes (-ise/-ize, -yse/-yze, -our/-or, ae and oe in
medical and scientific words, plus a short list of single words) and leave
alone the words that only look like them ("four", "promise", "exercise",
"aerobic", "does"). Folding applies to one normalised word at a time, so
highlights still point at the word the reader sees.
"""

from __future__ import annotations

import re

# -ise / -ize and their forms (realised, organising, randomisation ...), after the
# letters that precede a variant -ise; words ending so that are not variants are listed.
_ISE = re.compile(
    r"^(\w*(?:al|ar|as|er|es|or|ur|gn|im|om|an|on|un|en|at|it|ol|ul|il|ic|og|rd))"
    r"is(e|ed|es|ing|ation|ations|er|ers)$"
)
_NOT_ISE = frozenset(
    "promise promised promises promising compromise compromised compromises compromising "
    "treatise treatises anise arise arises arising valise".split()
)
# -yse / -yze: analyse, paralyse, catalyse, dialyse, hydrolyse, electrolyse.
_YSE = re.compile(r"^(\w*(?:anal|paral|catal|dial|hydrol|electrol|photol))ys(e|ed|es|ing|er|ers)$")
# -our words (colour, behaviour, tumour ...) and their derivations ("colourful",
# "favourite"). A closed list: most words holding "our" are not variants.
_OUR = re.compile(
    r"^(\w*?(?:arb|ard|arm|behavi|cand|clam|col|demean|endeav|fav|ferv|flav|harb|hon|hum"
    r"|lab|neighb|od|parl|ranc|rig|rum|savi|sav|splend|succ|tum|val|vap|vig))our(\w*)$"
)
# ae / oe in medical and scientific words: (prefix as written, as folded).
_DIGRAPHS = (
    ("aem", "em"),  # anaemia, leukaemia, ischaemic, haemoglobin, glycaemic
    ("paed", "ped"),  # paediatric, orthopaedic, encyclopaedia
    ("anaes", "anes"),  # anaesthesia
    ("gynaec", "gynec"),
    ("faec", "fec"),  # faeces, faecal
    ("caesar", "cesar"),  # caesarean
    ("aetiol", "etiol"),  # aetiology
    ("palaeo", "paleo"),
    ("oedem", "edem"),  # oedema
    ("oesophag", "esophag"),
    ("oestr", "estr"),  # oestrogen, oestradiol
    ("foet", "fet"),  # foetus, foetal
    ("coeliac", "celiac"),
    ("rrhoea", "rrhea"),  # diarrhoea, gonorrhoea, amenorrhoea
    ("pnoea", "pnea"),  # apnoea, dyspnoea
    ("homoeo", "homeo"),
)
# Single words (-re/-er, -ogue/-og, -ence/-ense and others), British/American. The
# stemmer already folds most doubled-l forms ("travelled"/"traveled").
_WORDS = dict(
    pair.split("/")
    for pair in """
    centre/center centres/centers centred/centered centring/centering fibre/fiber
    fibres/fibers litre/liter litres/liters metre/meter metres/meters theatre/theater
    theatres/theaters calibre/caliber sombre/somber spectre/specter lustre/luster
    meagre/meager manoeuvre/maneuver manoeuvres/maneuvers catalogue/catalog
    catalogues/catalogs analogue/analog analogues/analogs dialogue/dialog
    dialogues/dialogs licence/license licences/licenses defence/defense offence/offense
    offences/offenses pretence/pretense grey/gray greys/grays programme/program
    programmes/programs aluminium/aluminum sulphur/sulfur sulphate/sulfate
    sulphide/sulfide plough/plow tyre/tire tyres/tires mould/mold moulds/molds
    cheque/check cheques/checks fuelled/fueled
""".split()
)


def american(word: str) -> str:
    """The American spelling of a normalised (lower-case) word; other words unchanged."""
    if word in _WORDS:
        return _WORDS[word]
    if "is" in word and word not in _NOT_ISE and (match := _ISE.match(word)):
        return f"{match.group(1)}iz{match.group(2)}"
    if "ys" in word and (match := _YSE.match(word)):
        return f"{match.group(1)}yz{match.group(2)}"
    if "our" in word and (match := _OUR.match(word)):
        return f"{match.group(1)}or{match.group(2)}"
    if "ae" in word or "oe" in word:
        for british, us in _DIGRAPHS:
            if british in word:
                word = word.replace(british, us)
    return word
