#!/usr/bin/env python3
"""Writes the Hugo equivalent of the site `bench/gen_site.py` writes: the same N posts,
N/5 members, N/10 events and about page, with the same markdown bodies, plus a minimal
theme (layouts) that renders the same kinds of pages as hearth's built-in theme: home,
paginated post list, post, member directory and member pages (with the member's posts
and the events they organise), events (upcoming, then past) and event pages with an
iCalendar file, tags, about, search and newsletter pages, RSS and Atom feeds of the
latest 20 posts (full content, as hearth's), sitemap, robots.txt and a search index.

    python3 bench/gen_hugo_site.py 1000 /tmp/hugo-1000
    python3 bench/gen_hugo_site.py --from /tmp/site-1000 /tmp/hugo-1000

The first form runs gen_site.py into a temporary folder and converts it; the second
converts a hearth site gen_site.py wrote already. Only the front matter changes: the
files keep TOML `+++` front matter (Hugo reads it too), members get `title` from
`name`, the about page moves to content/about.md with a `main` menu entry.
"""
import os
import re
import shutil
import sys
import tempfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))

CONFIG = """\
baseURL = "https://bench.example.org/"
title = "Bench Community"
languageCode = "en"
timeZone = "Europe/Berlin"
paginate = 10
rssLimit = 20
enableRobotsTXT = true
disableHugoGeneratorInject = true

[params]
description = "A generated community hub"

[taxonomies]
tag = "tags"
author = "authors"
organizer = "organizers"

[outputFormats.Atom]
mediaType = "application/atom+xml"
baseName = "atom"
isPlainText = false

[mediaTypes."application/atom+xml"]
suffixes = ["xml"]

[outputFormats.SearchIndex]
mediaType = "application/json"
baseName = "search"
isPlainText = true
notAlternative = true

[outputs]
home = ["HTML", "RSS", "Atom", "SearchIndex"]
section = ["HTML"]
taxonomy = ["HTML"]
term = ["HTML"]
page = ["HTML"]

[markup.highlight]
noClasses = false

[markup.goldmark.renderer]
unsafe = true
"""

# authors/organizers are taxonomies only so member pages can look up "posts by this
# member" and "events this member organises" without scanning every page; their own
# list pages are not rendered (hearth has no such pages).
HIDDEN_TAXONOMY = """\
+++
title = "{name}"
[_build]
render = "never"
list = "never"
[cascade._build]
render = "never"
list = "never"
+++
"""

EVENTS_INDEX = """\
+++
title = "Events"
outputs = ["HTML", "Calendar"]
[cascade]
outputs = ["HTML", "Calendar"]
+++
"""

LAYOUTS = {
    "_default/baseof.html": """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} · {{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Description }}{{ . }}{{ else }}{{ with .Summary }}{{ . | plainify | truncate 160 }}{{ else }}{{ site.Params.description }}{{ end }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
<meta property="og:title" content="{{ .Title }}">
<meta property="og:url" content="{{ .Permalink }}">
{{ with .OutputFormats.Get "RSS" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<a href="#main">Skip to content</a>
<header><nav><a href="/">{{ site.Title }}</a>
<a href="/posts/">Posts</a> <a href="/events/">Events</a> <a href="/members/">Members</a>
<a href="/tags/">Tags</a>{{ range site.Menus.main }} <a href="{{ .URL }}">{{ .Name }}</a>{{ end }}
</nav></header>
<main id="main">
{{ block "main" . }}{{ end }}
</main>
<footer><p>{{ site.Title }}</p></footer>
</body>
</html>
""",
    "partials/post-card.html": """\
<li><article>
<h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ with .Params.authors }}by {{ range $i, $a := . }}{{ if $i }}, {{ end }}{{ with site.GetPage (printf "/members/%s" $a) }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ end }}{{ end }}
· {{ .ReadingTime }} min read</p>
<div>{{ .Summary }}</div>
{{ partial "tags.html" . }}
</article></li>
""",
    "partials/event-card.html": """\
<li><article>
<h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
<p><time datetime="{{ .Params.start }}">{{ (time .Params.start).Format "Mon 2 January 2006, 15:04" }}</time>
{{ with .Params.location }}· {{ . }}{{ end }}</p>
{{ partial "tags.html" . }}
</article></li>
""",
    "partials/tags.html": """\
{{ with .Params.tags }}<ul>{{ range . }}<li><a href="{{ (printf "/tags/%s/" (. | urlize)) }}">{{ . }}</a></li>{{ end }}</ul>{{ end }}
""",
    "_default/single.html": """\
{{ define "main" }}
<article>
<header>
<p><a href="/{{ .Section }}/">{{ .Section | title }}</a></p>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time> · {{ .ReadingTime }} min read</p>
{{ with .Params.authors }}<ul>{{ range . }}{{ with site.GetPage (printf "/members/%s" .) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}{{ end }}</ul>{{ end }}
</header>
<div class="prose">{{ .Content }}</div>
{{ partial "tags.html" . }}
<script type="application/ld+json">{"@type":"BlogPosting","headline":{{ .Title }},"datePublished":{{ .Date.Format "2006-01-02" }}}</script>
</article>
{{ end }}
""",
    "members/single.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p>{{ .Params.role }} · {{ .Params.pronouns }}{{ with .Params.joined }} · member since {{ (time .).Format "January 2006" }}{{ end }}</p>
<div class="prose">{{ .Content }}</div>
{{ partial "tags.html" . }}
{{ $slug := .File.ContentBaseName }}
{{ with index site.Taxonomies.authors $slug }}
<h2>Posts</h2>
<ul>{{ range .Pages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2 January 2006" }}</time></li>{{ end }}</ul>
{{ end }}
{{ with index site.Taxonomies.organizers $slug }}
<h2>Events</h2>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
</article>
{{ end }}
""",
    "events/single.html": """\
{{ define "main" }}
<article>
<p><a href="/events/">Events</a></p>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Params.start }}">{{ (time .Params.start).Format "Monday 2 January 2006, 15:04" }}</time>
{{ with .Params.end }}– <time datetime="{{ . }}">{{ (time .).Format "15:04" }}</time>{{ end }}</p>
{{ with .Params.location }}<p>{{ . }}</p>{{ end }}
{{ with .Params.organizers }}<p>Organised by {{ range . }}{{ with site.GetPage (printf "/members/%s" .) }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}{{ end }}</p>{{ end }}
<div class="prose">{{ .Content }}</div>
{{ partial "tags.html" . }}
<p><a href="index.ics">Add to calendar</a></p>
</article>
{{ end }}
""",
    "events/single.calendar.ics": """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//bench//hugo//EN
BEGIN:VEVENT
UID:{{ .File.ContentBaseName }}@bench.example.org
DTSTART;TZID=Europe/Berlin:{{ (time .Params.start).Format "20060102T150405" }}
{{ with .Params.end }}DTEND;TZID=Europe/Berlin:{{ (time .).Format "20060102T150405" }}
{{ end }}SUMMARY:{{ .Title }}
LOCATION:{{ .Params.location }}
URL:{{ .Permalink }}
END:VEVENT
END:VCALENDAR
""",
    "events/list.calendar.ics": """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//bench//hugo//EN
{{ range .Pages }}BEGIN:VEVENT
UID:{{ .File.ContentBaseName }}@bench.example.org
DTSTART;TZID=Europe/Berlin:{{ (time .Params.start).Format "20060102T150405" }}
SUMMARY:{{ .Title }}
URL:{{ .Permalink }}
END:VEVENT
{{ end }}END:VCALENDAR
""",
    "_default/list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pager := .Paginate (.Pages.ByDate.Reverse) }}
<ul>{{ range $pager.Pages }}{{ partial "post-card.html" . }}{{ end }}</ul>
<nav>{{ with $pager.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} Page {{ $pager.PageNumber }} of {{ $pager.TotalPages }} {{ with $pager.Next }}<a href="{{ .URL }}">Older</a>{{ end }}</nav>
{{ end }}
""",
    "members/list.html": """\
{{ define "main" }}
<h1>Members</h1>
<ul>{{ range .Pages.ByTitle }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> · {{ .Params.role }}{{ partial "tags.html" . }}</li>{{ end }}</ul>
{{ end }}
""",
    "events/list.html": """\
{{ define "main" }}
<h1>Events</h1>
<p><a href="index.ics">Subscribe to the calendar</a></p>
{{ $now := now.Format "2006-01-02T15:04:05" }}
{{ $upcoming := slice }}{{ $past := slice }}
{{ range sort .Pages "Params.start" }}{{ if ge ((time .Params.start).Format "2006-01-02T15:04:05") $now }}{{ $upcoming = $upcoming | append . }}{{ else }}{{ $past = $past | append . }}{{ end }}{{ end }}
<h2>Upcoming</h2>
<ul>{{ range $upcoming }}{{ partial "event-card.html" . }}{{ end }}</ul>
<h2>Past</h2>
<ul>{{ range $past.Reverse }}{{ partial "event-card.html" . }}{{ end }}</ul>
{{ end }}
""",
    "index.html": """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
<p>{{ site.Params.description }}</p>
<h2>Latest posts</h2>
<ul>{{ range first 10 (where site.RegularPages.ByDate.Reverse "Section" "posts") }}{{ partial "post-card.html" . }}{{ end }}</ul>
<h2>Upcoming events</h2>
{{ $now := now.Format "2006-01-02T15:04:05" }}
<ul>{{ $n := 0 }}{{ range sort (where site.RegularPages "Section" "events") "Params.start" }}{{ if and (lt $n 5) (ge ((time .Params.start).Format "2006-01-02T15:04:05") $now) }}{{ $n = add $n 1 }}{{ partial "event-card.html" . }}{{ end }}{{ end }}</ul>
{{ end }}
""",
    "index.searchindex.json": """\
{{- $items := slice -}}
{{- range site.RegularPages -}}
{{- if in (slice "posts" "members" "events") .Section -}}
{{- $items = $items | append (dict "k" .Section "t" .Title "u" .RelPermalink "s" (.Summary | plainify | truncate 200) "g" (.Params.tags | default slice)) -}}
{{- end -}}
{{- end -}}
{{- dict "v" 1 "items" $items | jsonify -}}
""",
    "index.rss.xml": """\
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>{{ site.Title }}</title>
<link>{{ site.BaseURL }}</link>
<description>{{ site.Params.description }}</description>
<language>en</language>
<atom:link href="{{ with .OutputFormats.Get "RSS" }}{{ .Permalink }}{{ end }}" rel="self" type="application/rss+xml"/>
{{- $posts := first 20 (where site.RegularPages.ByDate.Reverse "Section" "posts") }}
{{- with index $posts 0 }}<lastBuildDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" }}</lastBuildDate>{{ end }}
{{- range $posts }}
<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<guid isPermaLink="true">{{ .Permalink }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" }}</pubDate>
{{ range .Params.tags }}<category>{{ . }}</category>{{ end }}
<description>{{ .Summary | html }}</description>
<content:encoded>{{ .Content | html }}</content:encoded>
</item>
{{- end }}
</channel>
</rss>
""",
    "index.atom.xml": """\
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title>{{ site.Title }}</title>
<subtitle>{{ site.Params.description }}</subtitle>
<link href="{{ with .OutputFormats.Get "Atom" }}{{ .Permalink }}{{ end }}" rel="self" type="application/atom+xml"/>
<link href="{{ site.BaseURL }}" rel="alternate" type="text/html"/>
<id>{{ site.BaseURL }}</id>
{{- $posts := first 20 (where site.RegularPages.ByDate.Reverse "Section" "posts") }}
{{- with index $posts 0 }}<updated>{{ .Date.Format "2006-01-02T15:04:05-07:00" }}</updated>{{ end }}
{{- range $posts }}
<entry>
<title>{{ .Title }}</title>
<link href="{{ .Permalink }}" rel="alternate" type="text/html"/>
<id>{{ .Permalink }}</id>
<published>{{ .Date.Format "2006-01-02T15:04:05-07:00" }}</published>
<updated>{{ .Lastmod.Format "2006-01-02T15:04:05-07:00" }}</updated>
{{ range .Params.tags }}<category term="{{ . }}"/>{{ end }}
<summary type="html">{{ .Summary | html }}</summary>
<content type="html">{{ .Content | html }}</content>
</entry>
{{- end }}
</feed>
""",
    "robots.txt": """\
User-agent: *
Allow: /

Sitemap: {{ "sitemap.xml" | absURL }}
""",
    "page/search.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<form role="search" action="/search/" method="get" data-index="/search.json">
<label for="search-input">Search posts, members and events</label>
<input id="search-input" type="search" name="q"> <button type="submit">Search</button>
</form>
<p id="search-status" aria-live="polite"></p>
<ol id="search-results"></ol>
{{ end }}
""",
    "page/newsletter.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<p>Prefer a feed reader? Follow the posts as <a href="/atom.xml">Atom</a> or <a href="/index.xml">RSS</a>.</p>
<p>No issues yet.</p>
{{ end }}
""",
    "_default/taxonomy.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
    "_default/term.html": """\
{{ define "main" }}
<h1>Tagged “{{ .Title }}”</h1>
{{ with where .Pages "Section" "posts" }}<h2>Posts</h2><ul>{{ range .ByDate.Reverse }}{{ partial "post-card.html" . }}{{ end }}</ul>{{ end }}
{{ with where .Pages "Section" "members" }}<h2>Members</h2><ul>{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
{{ with where .Pages "Section" "events" }}<h2>Events</h2><ul>{{ range . }}{{ partial "event-card.html" . }}{{ end }}</ul>{{ end }}
{{ end }}
""",
    "404.html": """\
{{ define "main" }}<h1>Page not found</h1><p><a href="/">Home</a></p>{{ end }}
""",
}


def split_front_matter(text):
    m = re.match(r"\+\+\+\n(.*?)\n\+\+\+\n", text, re.S)
    if not m:
        raise ValueError("no +++ front matter")
    return m.group(1), text[m.end():]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def convert_file(src, dst, kind):
    with open(src, encoding="utf-8") as f:
        front, body = split_front_matter(f.read())
    data = tomllib.loads(front)  # fails loudly on anything gen_site.py did not write
    lines = front.split("\n")
    if kind == "members":
        # Hugo pages need a title; keep `name` too for templates that want it.
        lines.insert(0, f'title = "{data["name"]}"')
    elif kind == "pages":
        lines = [l for l in lines if not l.startswith("menu =")]
        lines.append(f'[menu.main]\nweight = {data.get("menu", 1)}')
    write(dst, "+++\n" + "\n".join(lines) + "\n+++\n" + body)


def convert(src, out):
    """Converts the hearth site gen_site.py wrote at `src` into a Hugo site at `out`."""
    if os.path.exists(out):
        shutil.rmtree(out)
    write(os.path.join(out, "hugo.toml"), CONFIG)
    for rel, text in LAYOUTS.items():
        write(os.path.join(out, "layouts", rel), text)
    content = os.path.join(src, "content")
    for kind in ("posts", "members", "events"):
        folder = os.path.join(content, kind)
        for name in sorted(os.listdir(folder)):
            convert_file(os.path.join(folder, name),
                         os.path.join(out, "content", kind, name), kind)
    pages = os.path.join(content, "pages")
    for name in sorted(os.listdir(pages)):
        convert_file(os.path.join(pages, name), os.path.join(out, "content", name), "pages")
    write(os.path.join(out, "content/search.md"), '+++\ntitle = "Search"\nlayout = "search"\n+++\n')
    write(os.path.join(out, "content/newsletter.md"),
          '+++\ntitle = "Newsletter"\nlayout = "newsletter"\n+++\n')
    write(os.path.join(out, "content/posts/_index.md"), '+++\ntitle = "Posts"\n+++\n')
    write(os.path.join(out, "content/members/_index.md"), '+++\ntitle = "Members"\n+++\n')
    write(os.path.join(out, "content/events/_index.md"), EVENTS_INDEX)
    write(os.path.join(out, "content/tags/_index.md"), '+++\ntitle = "Tags"\n+++\n')
    for tax in ("authors", "organizers"):
        write(os.path.join(out, "content", tax, "_index.md"), HIDDEN_TAXONOMY.format(name=tax))


def main():
    args = sys.argv[1:]
    if len(args) == 3 and args[0] == "--from":
        convert(args[1], args[2])
        return
    if len(args) != 2:
        sys.exit(__doc__)
    n, out = args
    sys.path.insert(0, HERE)
    import gen_site
    with tempfile.TemporaryDirectory() as tmp:
        saved = sys.argv
        sys.argv = ["gen_site.py", n, tmp]
        try:
            gen_site.main()
        finally:
            sys.argv = saved
        convert(tmp, out)


if __name__ == "__main__":
    main()
