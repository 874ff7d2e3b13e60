"""Parse iCalendar files with the `icalendar` library and print one JSON line per VEVENT.

Usage: python3 tests/tools/check_ics.py FILE.ics...

Each line holds the file, uid, summary, status, location, url, and dtstart/dtend as
UTC ISO strings (a date for all-day events). `dtstart_vtimezone`/`dtend_vtimezone`
are the same instants computed from the file's own VTIMEZONE rules (ignoring the
reader's tz database), and `errors` lists what the parser had to tolerate. Exit 3 when
`icalendar` is missing, 1 when a file does not parse.
"""

import json
import sys
from datetime import date, datetime, timezone

INSTALL = "python3 -m pip install -r tests/tools/requirements.txt"

try:
    import icalendar
except ImportError:
    sys.stderr.write(f"the Python package `icalendar` is missing: install it with `{INSTALL}`\n")
    sys.exit(3)


def as_utc(value):
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"floating time {value} (no zone)")
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise ValueError(f"not a date: {value!r}")


def by_own_vtimezone(prop, zones):
    """The instant of a DTSTART/DTEND read with the file's VTIMEZONE, not by name."""
    if prop is None:
        return None
    tzid = prop.params.get("TZID")
    if tzid is None:
        return as_utc(prop.dt)
    if tzid not in zones:
        raise ValueError(f"TZID {tzid} has no VTIMEZONE in the file")
    local = prop.dt.replace(tzinfo=None)
    return as_utc(local.replace(tzinfo=zones[tzid]))


def categories(event):
    props = event.get("CATEGORIES", [])
    if not isinstance(props, list):
        props = [props]
    return [str(c) for prop in props for c in prop.cats]


def errors_of(component):
    found = [f"{component.name}: {e}" for e in getattr(component, "errors", [])]
    for sub in component.subcomponents:
        found.extend(errors_of(sub))
    return found


def check(path):
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    zones = {
        str(tz["TZID"]): tz.to_tz(lookup_tzid=False) for tz in cal.walk("VTIMEZONE")
    }
    errors = errors_of(cal)
    for event in cal.walk("VEVENT"):
        start, end = event.get("DTSTART"), event.get("DTEND")
        print(
            json.dumps(
                {
                    "file": path,
                    "uid": str(event.get("UID", "")),
                    "dtstamp": as_utc(event["DTSTAMP"].dt) if "DTSTAMP" in event else None,
                    "summary": str(event.get("SUMMARY", "")),
                    "status": str(event.get("STATUS", "")),
                    "location": str(event.get("LOCATION", "")),
                    "url": str(event.get("URL", "")),
                    "description": str(event.get("DESCRIPTION", "")),
                    "categories": categories(event),
                    "dtstart": as_utc(start.dt) if start is not None else None,
                    "dtend": as_utc(end.dt) if end is not None else None,
                    "dtstart_vtimezone": by_own_vtimezone(start, zones),
                    "dtend_vtimezone": by_own_vtimezone(end, zones),
                    "errors": errors,
                },
                sort_keys=True,
            )
        )


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: check_ics.py FILE.ics...\n")
        return 2
    for path in sys.argv[1:]:
        try:
            check(path)
        except Exception as e:  # noqa: BLE001 - report any parse failure with its file
            sys.stderr.write(f"{path}: {type(e).__name__}: {e}\n")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
