"""The pure parts: the signature, the address checks and the verb table (no database, no network)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from scoping.models.activity import VERB_LABELS
from webhooks import events, signing, targets

SECRET = "s3cr3t-of-the-endpoint"
BODY = b'{"id":"d1","event":"version.frozen","data":{"version":{"number":2}}}'


# --- signing ---------------------------------------------------------------------------------------------------------


def test_the_signature_is_the_hmac_sha256_of_timestamp_dot_body():
    by_hand = hmac.new(SECRET.encode(), b"1767225600." + BODY, hashlib.sha256).hexdigest()
    assert signing.signature_compute(secret=SECRET, timestamp=1767225600, body=BODY) == by_hand
    assert signing.signature_header(secret=SECRET, timestamp=1767225600, body=BODY) == f"t=1767225600,v1={by_hand}"


def test_a_receiver_verifies_the_header_and_refuses_another_secret_body_or_an_old_timestamp():
    header = signing.signature_header(secret=SECRET, timestamp=1000, body=BODY)
    assert signing.signature_verify(secret=SECRET, header=header, body=BODY, now=1010)
    assert not signing.signature_verify(secret="another secret", header=header, body=BODY, now=1010)
    assert not signing.signature_verify(secret=SECRET, header=header, body=BODY + b" ", now=1010)
    assert not signing.signature_verify(secret=SECRET, header=header, body=BODY, now=1000 + 301)
    assert not signing.signature_verify(secret=SECRET, header="v1=abc", body=BODY, now=1000)
    assert not signing.signature_verify(secret=SECRET, header="garbage", body=BODY, now=1000)


# --- targets ---------------------------------------------------------------------------------------------------------

REFUSED = {
    "127.0.0.1": "loopback",
    "10.1.2.3": "private",
    "172.16.0.1": "private",
    "192.168.1.20": "private",
    "169.254.169.254": "link-local",
    "::1": "loopback",
    "fc00::1": "unique local",
    "fd12:3456::1": "unique local",
    "fe80::1": "link-local",
    "fe80::1%eth0": "link-local",
    "::ffff:127.0.0.1": "IPv4-mapped",
    "::ffff:10.0.0.1": "IPv4-mapped",
    "0.0.0.0": "unspecified",  # noqa: S104 - an address to refuse, not one to bind
    "::": "unspecified",
    "100.64.0.1": "carrier-grade NAT",
    "100.127.255.254": "carrier-grade NAT",
    "224.0.0.1": "multicast",
    "ff02::1": "multicast",
    "240.0.0.1": "reserved",
    "255.255.255.255": "reserved",
    "192.0.2.10": "private",  # documentation range
    "2001:db8::1": "private",
    "64:ff9b::a00:1": "NAT64",
    "2002:7f00:1::": "6to4",
    "fec0::1": "site-local",
}


@pytest.mark.parametrize(("address", "kind"), REFUSED.items())
def test_every_non_public_range_is_refused(address, kind):
    refusal = targets.address_refusal(address)
    assert refusal is not None and kind in refusal


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700::1111", "2a00:1450::1"])
def test_a_public_address_is_allowed(address):
    assert targets.address_refusal(address) is None


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "192.168.1.20", "169.254.1.1", "::1", "fc00::1", "fe80::1"]
)
def test_the_setting_allows_private_targets(address):
    assert targets.address_refusal(address, allow_private=True) is None


@pytest.mark.parametrize("address", ["0.0.0.0", "224.0.0.1"])  # noqa: S104 - refused, not bound
def test_even_the_setting_does_not_allow_the_unspecified_address_or_multicast(address):
    assert targets.address_refusal(address, allow_private=True) is not None


def test_every_resolved_address_must_be_public_not_just_the_first():
    with pytest.raises(targets.TargetRefused, match=r"hooks.example.com resolves to 10.0.0.5, which is a private"):
        targets.addresses_check("hooks.example.com", ["93.184.216.34", "10.0.0.5"])
    assert targets.addresses_check("hooks.example.com", ["93.184.216.34", "93.184.216.34"]) == ["93.184.216.34"]
    with pytest.raises(targets.TargetRefused, match="does not resolve"):
        targets.addresses_check("hooks.example.com", [])


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.example.com/x", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("gopher://127.0.0.1:70/", "http:// or https://"),
        ("https://user:pw@hooks.example.com/", "passwords"),
        ("https:///path-only", "host name"),
        ("http://hooks.example.com:99999/", "not a valid URL"),
    ],
)
def test_only_plain_http_and_https_urls_are_targets(url, message):
    with pytest.raises(targets.TargetRefused, match=message):
        targets.target_parse(url)


def test_a_target_keeps_the_path_and_query_and_the_default_port():
    target = targets.target_parse("HTTPS://Hooks.Example.com/in/firstslice?team=ops#ignored")
    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "hooks.example.com",
        443,
        "/in/firstslice?team=ops",
    )
    assert target.host_header == "hooks.example.com"
    assert targets.target_parse("http://[::1]:8600/").host_header == "[::1]:8600"


# --- the verb table --------------------------------------------------------------------------------------------------


def test_every_verb_in_the_table_is_a_verb_the_audit_trail_records():
    assert set(events.VERB_EVENTS) <= set(VERB_LABELS)
    raised = {event for listed in events.VERB_EVENTS.values() for event in listed}
    assert raised | {events.PROJECT_STAGE_CHANGED} == set(events.EVENTS)


def test_a_stage_change_is_raised_by_any_event_that_moved_the_stage_and_only_then():
    assert events.events_for("scope_signed", {"version": "v1"}) == (events.SIGNOFF_SIGNED,)
    assert events.events_for("scope_signed", {"stage": ["awaiting_signoff", "signed_off"]}) == (
        events.SIGNOFF_SIGNED,
        events.PROJECT_STAGE_CHANGED,
    )
    assert events.events_for("review_changes_requested", {"stage": ["in_review", "draft"]}) == (
        events.REVIEW_DECIDED,
        events.PROJECT_STAGE_CHANGED,
    )
    assert events.events_for("project_archived", {"stage": ["draft", "archived"]}) == (events.PROJECT_STAGE_CHANGED,)
    assert events.events_for("a_move_added_later", {"stage": ["awaiting_signoff", "approved"]}) == (
        events.PROJECT_STAGE_CHANGED,
    )
    assert events.events_for("scope_submitted", {"stage": ["draft", "draft"]}) == ()
    assert events.events_for("section_saved", {"stage": "draft"}) == ()
    assert events.events_for("section_saved", []) == ()
