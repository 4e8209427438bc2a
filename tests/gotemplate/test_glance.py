from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from luna.clock import ManualClock
from luna.gotemplate import TemplateExecError, parse
from luna.gotemplate.glance import (
    CustomAPIRequest,
    FetchResult,
    InvalidResponse,
    ResponseData,
    TemplateData,
    check_json,
    glance_functions,
)

# 2023-11-14 22:13:20 UTC
CLOCK = ManualClock(start=1_700_000_000.0)
BERLIN = ZoneInfo("Europe/Berlin")


def data(body: str = "{}", options: dict | None = None, status: int = 200, headers: dict | None = None,
         subrequests: dict | None = None) -> TemplateData:
    primary = ResponseData.from_fetch(FetchResult(status, body, headers or {}))
    return TemplateData(primary, subrequests, options)


def render(source: str, template_data: TemplateData | None = None, fetch=None) -> str:
    functions = glance_functions(now=CLOCK.now, local_zone=BERLIN, fetch=fetch)
    return parse(source, name="custom-api", functions=functions).execute(template_data or data())


def render_error(source: str, template_data: TemplateData | None = None) -> TemplateExecError:
    with pytest.raises(TemplateExecError) as caught:
        render(source, template_data)
    return caught.value


# .JSON and the response


def test_json_string_int_float_bool() -> None:
    body = '{"title": "T", "n": 3, "f": 1.5, "ok": true, "user": {"address": {"city": "NY"}}}'
    source = '{{ .JSON.String "title" }} {{ .JSON.Int "n" }} {{ .JSON.Float "f" }} {{ .JSON.Bool "ok" }} ' \
             '{{ .JSON.String "user.address.city" }}'

    assert render(source, data(body)) == "T 3 1.5 true NY"


def test_json_array_sets_dot() -> None:
    body = '{"author": "Jo", "posts": [{"title": "A"}, {"title": "B"}]}'
    source = '{{ range .JSON.Array "posts" }}[{{ .String "title" }} by {{ $.JSON.String "author" }}]{{ end }}'

    assert render(source, data(body)) == "[A by Jo][B by Jo]"


def test_json_empty_key_means_self() -> None:
    source = '{{ range .JSON.Array "" }}{{ .String "" }},{{ end }}{{ .JSON.String "0" }}'

    assert render(source, data('["Apple", "Banana"]')) == "Apple,Banana,Apple"


def test_json_exists_and_get() -> None:
    body = '{"user": {"age": 30}}'
    source = '{{ if .JSON.Exists "user.age" }}{{ (.JSON.Get "user").Int "age" }}{{ end }}' \
             '{{ if not (.JSON.Exists "user.name") }}-none{{ end }}'

    assert render(source, data(body)) == "30-none"


def test_json_lines() -> None:
    body = '{"name": "Steve", "age": 30}\n{"name": "Alex", "age": 25}'
    source = '{{ range .JSONLines }}{{ .String "name" }}={{ .Int "age" }};{{ end }}' \
             '{{ range .JSON.Array "..#.name" }}{{ .String "" }}{{ end }}'

    assert render(source, data(body)) == "Steve=30;Alex=25;SteveAlex"


def test_response_status_and_header() -> None:
    source = '{{ .Response.StatusCode }} {{ .Response.Status }} {{ .Response.Header.Get "content-type" }}'

    assert render(source, data(status=404, headers={"Content-Type": "application/json"})) == (
        "404 404 Not Found application/json"
    )


def test_subrequest_by_name() -> None:
    sub = ResponseData.from_fetch(FetchResult(200, '{"v": "sub"}'))

    assert render('{{ (.Subrequest "other").JSON.String "v" }}', data(subrequests={"other": sub})) == "sub"


def test_unknown_subrequest_is_error() -> None:
    error = render_error('{{ .Subrequest "nope" }}')

    assert "subrequest with key 'nope' has not been defined" in error.message


def test_check_json_rejects_invalid_success() -> None:
    with pytest.raises(InvalidResponse, match="invalid response JSON"):
        check_json(FetchResult(200, "<html>"))


def test_check_json_reports_status_of_failure() -> None:
    with pytest.raises(InvalidResponse, match="502 Bad Gateway"):
        check_json(FetchResult(502, "<html>"))


def test_check_json_skip_validation() -> None:
    assert check_json(FetchResult(200, "a\nb"), skip_validation=True) is None


# .Options


def test_options_typed_defaults() -> None:
    options = {"name": "x", "limit": 5, "ratio": 2, "exact": 2.5, "on": True}
    source = '{{ .Options.StringOr "name" "d" }} {{ .Options.StringOr "limit" "d" }} {{ .Options.IntOr "limit" 1 }} ' \
             '{{ .Options.FloatOr "ratio" 0.5 }} {{ .Options.FloatOr "exact" 0.5 }} {{ .Options.BoolOr "on" false }} ' \
             '{{ .Options.IntOr "missing" 9 }}'

    assert render(source, data(options=options)) == "x d 5 0.5 2.5 true 9"


def test_options_json_encodes() -> None:
    assert render('{{ .Options.JSON "list" }}', data(options={"list": [1, "a"]})) == "[1,&#34;a&#34;]"


def test_options_json_sorts_keys() -> None:
    assert render('{{ .Options.JSON "map" }}', data(options={"map": {"b": 1, "a": 2}})) == '{&#34;a&#34;:2,&#34;b&#34;:1}'


def test_options_json_missing_key() -> None:
    error = render_error('{{ .Options.JSON "nope" }}')

    assert "key 'nope' does not exist in options" in error.message


# Math


@pytest.mark.parametrize(
    ("source", "expected"),
    [("{{ add 1 2 }}", "3"), ("{{ add 1 2.5 }}", "3.5"), ("{{ sub 10 4 }}", "6"), ("{{ mul 3 1.5 }}", "4.5"),
     ("{{ div 7 2 }}", "3"), ("{{ div -7 2 }}", "-3"), ("{{ div 7.0 2 }}", "3.5"), ("{{ div 1 0 }}", "0"),
     ('{{ add 1 "x" }}', "NaN"), ("{{ mod 7 3 }}", "1"), ("{{ mod -7 3 }}", "-1"), ("{{ mod 7 0 }}", "0"),
     ("{{ toFloat 3 }}", "3"), ("{{ toInt 3.9 }}", "3"), ("{{ toInt -3.9 }}", "-3"),
     ("{{ percentChange 110.0 100.0 }}", "10.000000000000009"), ("{{ absInt -4 }}", "4")],
)
def test_math_helpers(source: str, expected: str) -> None:
    assert render(source) == expected


def test_to_float_rejects_float() -> None:
    error = render_error('{{ toFloat (.JSON.Float "f") }}', data('{"f": 1.5}'))

    assert "expected int; got float64" in error.message


# Time


def test_now_and_format_time() -> None:
    assert render('{{ now | formatTime "2006-01-02 15:04 MST" }}') == "2023-11-14 23:13 CET"


def test_offset_now() -> None:
    assert render('{{ offsetNow "-24h" | formatTime "rfc3339" }}') == "2023-11-13T23:13:20&#43;01:00"


def test_offset_now_invalid_is_now() -> None:
    assert render('{{ offsetNow "soon" | formatTime "unix" }}') == "1700000000"


def test_duration_helper() -> None:
    assert render('{{ duration "5h30m" }} {{ (duration "90m").Minutes }} {{ duration "bad" }}') == "5h30m0s 90 0s"


def test_parse_time_named_layouts() -> None:
    source = '{{ parseTime "rfc3339" "2023-10-27T10:00:00Z" | formatTime "unix" }} ' \
             '{{ parseTime "DateTime" "2023-10-27 10:00:00" | formatTime "Jan 2 15:04 MST" }} ' \
             '{{ parseTime "dateonly" "2023-10-27" | formatTime "Monday" }}'

    assert render(source) == "1698400800 Oct 27 10:00 UTC Friday"


def test_parse_time_custom_layout() -> None:
    assert render('{{ parseTime "02/01/2006 3:04PM" "27/10/2023 2:30PM" | formatTime "15:04" }}') == "14:30"


def test_parse_time_unix() -> None:
    assert render('{{ (parseTime "unix" "1700000000").UTC | formatTime "2006-01-02" }}') == "2023-11-14"


def test_parse_time_failure_gives_epoch() -> None:
    assert render('{{ parseTime "rfc3339" "yesterday" | formatTime "unix" }}') == "0"


def test_parse_local_time_uses_local_zone() -> None:
    assert render('{{ parseLocalTime "2006-01-02 15:04" "2023-07-01 12:00" | formatTime "unix" }}') == "1688205600"


def test_to_relative_time_attribute() -> None:
    source = '<div {{ .JSON.String "d" | parseTime "rfc3339" | toRelativeTime }}></div>'

    assert render(source, data('{"d": "2023-10-27T10:00:00Z"}')) == '<div data-dynamic-relative-time="1698400800"></div>'


def test_parse_relative_time_shorthand() -> None:
    source = '<span {{ parseRelativeTime "rfc3339" "2023-10-27T10:00:00Z" }}></span>'

    assert render(source) == '<span data-dynamic-relative-time="1698400800"></span>'


def test_dynamic_relative_time_attrs() -> None:
    assert render("<i {{ dynamicRelativeTimeAttrs now }}></i>") == '<i data-dynamic-relative-time="1700000000"></i>'


def test_start_and_end_of_day() -> None:
    source = '{{ startOfDay now | formatTime "2006-01-02 15:04:05" }}|{{ endOfDay now | formatTime "15:04:05" }}'

    assert render(source) == "2023-11-14 00:00:00|23:59:59"


def test_time_in_location_of_now() -> None:
    source = '{{ (parseTime "rfc3339" "2023-10-27T10:00:00Z").In now.Location | formatTime "15:04" }}'

    assert render(source) == "12:00"


# Strings and regular expressions


@pytest.mark.parametrize(
    ("source", "expected"),
    [('{{ "v1.2" | trimPrefix "v" }}', "1.2"), ('{{ "a.txt" | trimSuffix ".txt" }}', "a"),
     ('{{ trimSpace "  x  " }}', "x"), ('{{ "a-b-c" | replaceAll "-" "+" }}', "a&#43;b&#43;c"),
     ('{{ concat "a" "b" "c" }}', "abc"),
     ('{{ "2024-05-06" | replaceMatches "(\\\\d+)-(\\\\d+)-(\\\\d+)" "$3/$2/${1}" }}', "06/05/2024"),
     ('{{ "order 66 and 67" | findMatch "\\\\d+" }}', "66"),
     ('{{ "id=abc;" | findSubmatch "id=([a-z]+)" }}', "abc"),
     ('{{ "none" | findSubmatch "id=([a-z]+)" }}|{{ "" | findMatch "x" }}', "|")],
)
def test_string_helpers(source: str, expected: str) -> None:
    assert render(source) == expected


def test_invalid_regex_is_error() -> None:
    error = render_error('{{ "x" | findMatch "(" }}')

    assert "invalid regular expression" in error.message


# Arrays


ITEMS = '[{"n": "b", "v": 2, "f": 0.5, "t": "2024-01-02"}, {"n": "a", "v": 10, "f": 1.5, "t": "2023-05-01"},' \
        ' {"n": "c", "v": 1, "f": 0.1, "t": "2025-01-01"}, {"n": "a", "v": 3, "f": 9.0, "t": "2020-01-01"}]'


@pytest.mark.parametrize(
    ("source", "expected"),
    [('sortByString "n" "asc"', "a a b c"), ('sortByString "n" "desc"', "c b a a"),
     ('sortByInt "v" "asc"', "c b a a"), ('sortByFloat "f" "desc"', "a a b c"),
     ('sortByTime "t" "DateOnly" "asc"', "a a b c"), ('unique "n"', "b a c")],
)
def test_array_helpers(source: str, expected: str) -> None:
    template = f'{{{{ range (.JSON.Array "" | {source}) }}}}{{{{ .String "n" }}}} {{{{ end }}}}'

    assert render(template, data(ITEMS)).strip() == expected


# Formatting


@pytest.mark.parametrize(
    ("source", "expected"),
    [("{{ formatNumber 1234567 }}", "1,234,567"), ("{{ formatNumber 1234.5 }}", "1,234.5"),
     ("{{ formatNumber -999 }}", "-999"), ("{{ formatApproxNumber 999 }}", "999"),
     ("{{ formatApproxNumber 1234 }}", "1.2k"), ("{{ formatApproxNumber 45678 }}", "45k"),
     ("{{ formatApproxNumber 2500000 }}", "2.5m"), ("{{ formatPrice 1234.567 }}", "1,234.57"),
     ("{{ formatPriceWithPrecision 3 1234.5 }}", "1,234.500"),
     ("{{ formatServerMegabytes 512 }}", '512 <span class="color-base size-h5">MB</span>'),
     ("{{ formatServerMegabytes 2500 }}", '2.5 <span class="color-base size-h5">GB</span>'),
     ("{{ formatServerMegabytes 25000 }}", '25 <span class="color-base size-h5">GB</span>'),
     ("{{ formatServerMegabytes 3200000 }}", '3.2 <span class="color-base size-h5">TB</span>')],
)
def test_format_helpers(source: str, expected: str) -> None:
    assert render(source) == expected


def test_safe_helpers_skip_escaping() -> None:
    source = '<a href="{{ safeURL "steam://x" }}" style="{{ safeCSS "a: b(1)" }}">{{ safeHTML "<b>x</b>" }}</a>'

    assert render(source) == '<a href="steam://x" style="a: b(1)"><b>x</b></a>'


# Requests made from templates


def test_get_response_uses_fetch() -> None:
    seen: list[CustomAPIRequest] = []

    def fetch(request: CustomAPIRequest) -> FetchResult:
        seen.append(request)
        return FetchResult(200, '{"title": "fetched"}')

    source = '{{ $r := newRequest "http://api.local/x" | withParameter "k" "v" | withHeader "Authorization" "t" ' \
             '| withMethod "put" | withStringBody "b" | getResponse }}{{ $r.Response.StatusCode }} {{ $r.JSON.String "title" }}'

    assert render(source, fetch=fetch) == "200 fetched"
    assert (seen[0].url, seen[0].parameters, seen[0].headers) == ("http://api.local/x", [("k", "v")], {"Authorization": "t"})
    assert (seen[0].effective_method, seen[0].body) == ("PUT", "b")


def test_request_with_body_defaults_to_post() -> None:
    assert CustomAPIRequest("http://x", body="{}").effective_method == "POST"


def test_allow_insecure_sets_flag() -> None:
    seen: list[CustomAPIRequest] = []

    def fetch(request: CustomAPIRequest) -> FetchResult:
        seen.append(request)
        return FetchResult(200, "{}")

    render('{{ $r := newRequest "https://self" | withAllowInsecure true | getResponse }}', fetch=fetch)

    assert seen[0].allow_insecure is True


def test_get_response_failure_sets_status() -> None:
    def fetch(request: CustomAPIRequest) -> FetchResult:
        raise ConnectionError("connection refused")

    source = '{{ $r := newRequest "http://down" | getResponse }}{{ $r.Response.StatusCode }} {{ $r.Response.Status }}'

    assert render(source, fetch=fetch) == "0 connection refused"


def test_get_response_without_fetch_is_error() -> None:
    error = render_error('{{ newRequest "http://x" | getResponse }}')

    assert "without a fetch function" in error.message


async def test_get_response_awaits_async_fetch() -> None:
    async def fetch(request: CustomAPIRequest) -> FetchResult:
        return FetchResult(200, '{"v": "async"}')

    functions = glance_functions(now=CLOCK.now, local_zone=BERLIN, fetch=fetch)
    template = parse('{{ (newRequest "http://x" | getResponse).JSON.String "v" }}', functions=functions)

    assert await template.execute_async(data()) == "async"
