"""Expand the recurring events of an iCalendar file, as calendar apps do.

Usage: python3 tests/tools/expand_ics.py FILE.ics FROM TO [UID_PREFIX]

Reads FILE with `icalendar`, expands every VEVENT (RRULE, EXDATE) between the dates
FROM and TO with `recurring_ical_events` (only those whose UID starts with
UID_PREFIX, when given), and prints one JSON object: `rules` (each
VEVENT's RRULE and EXDATEs as `icalendar` reads them) and `starts` (every occurrence's
start, in its own zone, ISO 8601, sorted). Exit 3 when a package is missing.
"""

import json
import sys
from datetime import date

INSTALL = "python3 -m pip install -r tests/tools/requirements.txt"

try:
    import icalendar
    import recurring_ical_events
except ImportError as missing:
    sys.stderr.write(f"{missing}: install it with `{INSTALL}`\n")
    sys.exit(3)


def main():
    path, start, end = sys.argv[1], date.fromisoformat(sys.argv[2]), date.fromisoformat(sys.argv[3])
    prefix = sys.argv[4] if len(sys.argv) > 4 else ""
    with open(path, "rb") as f:
        calendar = icalendar.Calendar.from_ical(f.read())
    rules = []
    for event in calendar.walk("VEVENT"):
        if not str(event.get("UID")).startswith(prefix):
            continue
        rrule = event.get("RRULE")
        exdates = event.get("EXDATE") or []
        if not isinstance(exdates, list):
            exdates = [exdates]
        rules.append({
            "uid": str(event.get("UID")),
            "rrule": rrule.to_ical().decode() if rrule else None,
            "exdates": [d.dt.isoformat() for ex in exdates for d in ex.dts],
        })
    starts = sorted(
        e.get("DTSTART").dt.isoformat()
        for e in recurring_ical_events.of(calendar).between(start, end)
        if str(e.get("UID")).startswith(prefix)
    )
    print(json.dumps({"rules": rules, "starts": starts}))


main()
