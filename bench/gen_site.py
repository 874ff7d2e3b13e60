#!/usr/bin/env python3
"""Writes a synthetic community site for benchmarks: N posts of about 4 KB of varied
markdown, N/5 members and N/10 events, with tags and cross-links.

    python3 bench/gen_site.py 1000 /tmp/site-1000

The output is deterministic for a given N (seeded), so runs can be compared.
"""
import os
import random
import sys

TAGS = ["rust", "web", "data", "open-source", "community", "workshop", "talks",
        "accessibility", "beginners", "conference", "devops", "security"]
WORDS = ("community meetup rust talk workshop people evening code review project "
         "release compiler garden volunteer learn share speaker venue coffee "
         "friendly question answer library crate async memory safety network "
         "design pattern test deploy browser server database schema").split()


def sentence(rng, n=12):
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph(rng, sentences=5):
    return " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(sentences))


def post_body(rng, i, n_members, n_events):
    member = f"member-{rng.randrange(n_members)}"
    event = f"event-{rng.randrange(n_events)}"
    other = f"post-{rng.randrange(max(i, 1))}"
    parts = [
        paragraph(rng),
        f"## What happened\n\n{paragraph(rng)} See [the profile](/members/{member}/) "
        f"and [the event](/events/{event}/), or [an older post](/posts/{other}/).",
        "- " + "\n- ".join(sentence(rng, 6) for _ in range(4)),
        "```rust\nfn main() {\n    let people = vec![\"ada\", \"grace\"];\n"
        "    for p in &people {\n        println!(\"hello {p}\");\n    }\n}\n```",
        "| Topic | Speaker | Minutes |\n|---|---|---|\n" + "\n".join(
            f"| {rng.choice(WORDS)} | {rng.choice(WORDS)} | {rng.randint(5, 45)} |" for _ in range(4)),
        f"### Next steps\n\n{paragraph(rng, 6)}",
        f"> {sentence(rng, 14)}",
        f"## Background\n\n{paragraph(rng, 5)} The *{rng.choice(WORDS)}* group keeps its notes "
        f"in `{rng.choice(WORDS)}.md`; **{rng.choice(WORDS)}** and [the tag page](/tags/{rng.choice(TAGS)}/) "
        f"have the rest.",
        "1. " + "\n1. ".join(sentence(rng, 8) for _ in range(3)),
        paragraph(rng, 5),
        paragraph(rng, 7),
    ]
    return "\n\n".join(parts) + "\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    rng = random.Random(n)
    n_members = max(n // 5, 1)
    n_events = max(n // 10, 1)
    write(os.path.join(out, "hearth.toml"),
          'title = "Bench Community"\nbase_url = "https://bench.example.org"\n'
          'description = "A generated community hub"\ntimezone = "Europe/Berlin"\nposts_per_page = 10\n')
    for m in range(n_members):
        tags = rng.sample(TAGS, 2)
        write(os.path.join(out, "content/members", f"member-{m}.md"),
              f'+++\nname = "Member {m}"\nrole = "Volunteer"\npronouns = "they/them"\n'
              f'joined = 2020-01-{1 + m % 28:02d}\ntags = {tags!r}\n+++\n{paragraph(rng, 4)}\n'.replace("'", '"'))
    for e in range(n_events):
        month = 1 + e % 12
        year = 2020 + (e // 12) % 8
        organizer = f"member-{rng.randrange(n_members)}"
        write(os.path.join(out, "content/events", f"event-{e}.md"),
              f'+++\ntitle = "Meetup {e}"\nstart = {year}-{month:02d}-{1 + e % 28:02d}T18:30:00\n'
              f'end = {year}-{month:02d}-{1 + e % 28:02d}T21:00:00\nlocation = "The Hall"\n'
              f'organizers = ["{organizer}"]\ntags = ["{rng.choice(TAGS)}"]\n+++\n{paragraph(rng, 4)}\n')
    for i in range(n):
        day = i % 28 + 1
        month = (i // 28) % 12 + 1
        year = 2010 + i // 336
        tags = rng.sample(TAGS, 3)
        author = f"member-{rng.randrange(n_members)}"
        write(os.path.join(out, "content/posts", f"post-{i}.md"),
              f'+++\ntitle = "Post number {i}: {rng.choice(WORDS)} and {rng.choice(WORDS)}"\n'
              f'date = {year}-{month:02d}-{day:02d}\nauthors = ["{author}"]\n'
              f'tags = {tags!r}\n+++\n'.replace("'", '"') + post_body(rng, i, n_members, n_events))
    write(os.path.join(out, "content/pages/about.md"), '+++\ntitle = "About"\nmenu = 1\n+++\nAbout us.\n')


if __name__ == "__main__":
    main()
