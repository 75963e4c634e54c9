#!/usr/bin/env python3
# Build-time generator: turns Table E.1-1 (TSV, see ../shared/standard/README.md) into a C++
# include file holding the rule rows, so the engine's table cannot drift from the data.
"""Usage: gen_rule_table.py TABLE.tsv README.md OUT.inc"""

import re
import sys

COLUMNS = [
    "tag", "keyword", "name", "retired", "in_std_comp_iod", "basic_profile",
    "retain_safe_private", "retain_uids", "retain_device_identity",
    "retain_institution_identity", "retain_patient_characteristics",
    "retain_long_full_dates", "retain_long_modified_dates", "clean_descriptors",
    "clean_structured_content", "clean_graphics",
]
EXPECTED_ROWS = 656
CODES = {
    "": "None", "D": "D", "Z": "Z", "X": "X", "K": "K", "C": "C", "U": "U",
    "Z/D": "Z_D", "X/Z": "X_Z", "X/D": "X_D", "X/Z/D": "X_Z_D", "X/Z/U*": "X_Z_Ustar",
}


def fail(message):
    sys.stderr.write("gen_rule_table: " + message + "\n")
    sys.exit(1)


def edition_of(readme_path):
    # The README states the edition the TSV was extracted from; refuse to guess.
    with open(readme_path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"\*\*Edition:\*\*\s*DICOM\s*\*\*(PS3\.15 \d{4}[a-z])\*\*", text)
    if not m:
        fail("edition not found in " + readme_path)
    return m.group(1)


def scope_and_tag(tag):
    if tag.startswith("(gggg,eeee)"):
        return "Private", 0, 0
    if tag == "50xx,xxxx":
        return "CurveGroup", 0x5000, 0
    if tag == "60xx,3000":
        return "OverlayData", 0x6000, 0x3000
    if tag == "60xx,4000":
        return "OverlayComments", 0x6000, 0x4000
    m = re.fullmatch(r"([0-9A-Fa-f]{4}),([0-9A-Fa-f]{4})", tag)
    if not m:
        fail("unparsable tag " + repr(tag))
    return "Tag", int(m.group(1), 16), int(m.group(2), 16)


def cxx_string(s):
    if any(c in s for c in '"\\') or not s.isascii():
        fail("unexpected character in " + repr(s))
    return '"' + s + '"'


def main():
    if len(sys.argv) != 4:
        fail(__doc__)
    tsv, readme, out = sys.argv[1:]
    edition = edition_of(readme)
    with open(tsv, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if lines[0].split("\t") != COLUMNS:
        fail("unexpected header")
    rows = []
    seen = set()
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(COLUMNS):
            fail("line %d has %d fields" % (number, len(cells)))
        scope, group, element = scope_and_tag(cells[0])
        if (scope, group, element) in seen:
            fail("duplicate tag on line %d" % number)
        seen.add((scope, group, element))
        for c in cells[5:]:
            if c not in CODES:
                fail("unknown action code %r on line %d" % (c, number))
        if cells[5] == "":
            fail("empty basic profile cell on line %d" % number)
        for flag in cells[3:5]:
            if flag not in ("Y", "N"):
                fail("bad Y/N flag on line %d" % number)
        options = ", ".join("Action::" + CODES[c] for c in cells[6:])
        rows.append(
            "    {0x%04X, 0x%04X, RuleScope::%s, %s, %s, %s, %s, %s, Action::%s, {%s}},"
            % (group, element, scope, cxx_string(cells[0]), cxx_string(cells[1]),
               cxx_string(cells[2]), "true" if cells[3] == "Y" else "false",
               "true" if cells[4] == "Y" else "false", CODES[cells[5]], options))
    if len(rows) != EXPECTED_ROWS:
        fail("expected %d rows, found %d" % (EXPECTED_ROWS, len(rows)))
    with open(out, "w", encoding="utf-8") as f:
        f.write("// Generated at build time by deid/gen_rule_table.py from Table E.1-1; do not edit.\n")
        f.write("// Included by deid/rule_table.cpp inside namespace obia::deid.\n")
        f.write('constexpr std::string_view kGeneratedEdition = "%s";\n' % edition)
        f.write("constexpr Rule kGeneratedRules[] = {\n")
        f.write("\n".join(rows))
        f.write("\n};\n")


if __name__ == "__main__":
    main()
