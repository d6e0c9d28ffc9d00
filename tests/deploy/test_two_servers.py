"""Two app servers set up by docs/deploy.md, on one PostgreSQL, one Redis and one bucket.

The guide's own blocks are run: its settings file is written with this test's values,
`flask db upgrade` and the first administrator are its commands, both servers are its
service's ExecStart with that file's environment, and its cron lines run once. Then what
the guide promises of several servers is checked from outside, over HTTP, as the proxy
would forward requests: a photo sent to one is served by the other, the same batch sent
to both at once is stored once, a session made on one is good on the other, a page
cached by one is rebuilt for the other after a write, and failed logins on one count on
the other.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from PIL import Image
from redis import Redis

from tests import s3_server
from tests.deploy import guide
from tests.deploy.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, Deployment
from tests.deploy.servers import Answer, AppServer, Client

FACTS = 30
# GEMBA_LOGIN_LIMIT_PER_ACCOUNT's default, which the guide leaves as it is.
ACCOUNT_LIMIT = 10


def uid() -> str:
    return str(uuid.uuid4())


def test_the_guide_marks_every_block_the_test_runs():
    found = guide.blocks()
    assert set(found) == {"env", "app-server", "upgrade", "first-admin", "cron"}
    # Every value a block asks for is explained in the guide's table of values.
    table = re.search(r"## Your values\n(.*?)\n## ", guide.GUIDE.read_text(), re.DOTALL)
    assert table, "docs/deploy.md has no 'Your values' section"
    explained = set(re.findall(r"^\| `(\w+)`", table.group(1), re.MULTILINE))
    explained |= set(re.findall(r"`([A-Z0-9_]+)`", table.group(1)))
    used = set().union(*(guide.placeholders(body) for body in found.values()))
    assert used <= explained, f"not in the table of values: {used - explained}"
    assert {"DATABASE_URL", "SECRET_KEY", "REDIS_CACHE_URL", "S3_BUCKET"} <= used
    assert guide.ENV_FILE in found["app-server"]
    assert any(" notify" in line for line in found["cron"].splitlines())


def test_two_app_servers_as_the_guide_sets_them_up(deployment: Deployment):
    deployment.run(deployment.guide.block("upgrade"))
    admin = deployment.run(
        deployment.guide.block("first-admin"), stdin=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n"
    )
    token = admin.stdout.strip().splitlines()[-1]
    a, b = deployment.start("a"), deployment.start("b")
    a.wait_ready()
    b.wait_ready()
    script_a = Client(a)
    script_a.token = token
    script_b = script_a.on(b)
    walk = _site_and_walk(script_a)
    browser_b = Client(b, address="198.51.100.7")
    assert browser_b.login(ADMIN_EMAIL, ADMIN_PASSWORD).status == 302

    _photo_sent_to_a_is_served_by_b(deployment, script_a, script_b, browser_b, walk)
    _same_batch_sent_to_both_at_once_is_stored_once(deployment, script_a, script_b, walk)
    _page_cached_by_a_is_rebuilt_for_b_after_a_write(deployment, browser_b, script_a, walk)
    _cron_lines_run(deployment)
    _failed_logins_on_a_count_on_b(deployment.redis, a, b)


def _site_and_walk(script: Client) -> str:
    site, walk = uid(), uid()
    answer = script.sync(
        [
            {"type": "site", "id": site, "name": "Plant 2"},
            {"type": "walk", "id": walk, "site": site, "title": "Line 3 changeover"},
        ]
    )
    assert answer.status == 200, answer.text
    assert [r["status"] for r in answer.json()["results"]] == ["created", "created"]
    return walk


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def _photo_sent_to_a_is_served_by_b(
    deployment: Deployment, script_a: Client, script_b: Client, browser_b: Client, walk: str
) -> None:
    fact = uid()
    wrote = script_a.sync([{"type": "fact", "id": fact, "walk": walk, "text": "Guard open"}])
    assert wrote.status == 200, wrote.text
    photo = uid()
    sent = script_a.put_photo(photo, _jpeg(), fact)
    assert sent.status == 201, sent.text

    on_a = script_a.request("GET", f"/api/v1/photos/{photo}/display")
    on_b = script_b.request("GET", f"/api/v1/photos/{photo}/display")
    assert on_a.status == on_b.status == 200, (on_a.status, on_b.status)
    assert on_b.body == on_a.body
    assert on_b.body[:3] == b"\xff\xd8\xff"
    page_b = browser_b.request("GET", f"/photos/{photo}/display")
    assert page_b.status == 200
    assert page_b.body == on_a.body
    # The object both served, in the bucket under the guide's prefix, named by its digest.
    key = f"photos/{hashlib.sha256(on_a.body).hexdigest()}"
    assert key in s3_server.object_keys(deployment.bucket)
    stored = s3_server.client().get_object(Bucket=deployment.bucket, Key=key)["Body"]
    with contextlib.closing(stored):
        assert stored.read() == on_b.body
    # Sent again through B: the same photo, not a second one.
    again = script_b.put_photo(photo, _jpeg(), fact)
    assert again.status == 200, again.text
    assert again.json()["status"] == "unchanged"
    assert deployment.rows("SELECT count(*) FROM photos") == [(1,)]


def _big_batch(walk: str) -> list[dict]:
    topic = "Badge scan at entry"
    statement = {
        "type": "statement",
        "id": uid(),
        "walk": walk,
        "topic": topic,
        "speaker": "Shift lead",
        "text": "We always scan our badges.",
        "claim": {"frequency": "always"},
    }
    facts = [
        {
            "type": "fact",
            "id": uid(),
            "walk": walk,
            "topic": topic,
            "text": f"Walked in without scanning ({n})",
            "performed": False,
        }
        for n in range(FACTS)
    ]
    return [statement, *facts]


def _same_batch_sent_to_both_at_once_is_stored_once(
    deployment: Deployment, script_a: Client, script_b: Client, walk: str
) -> None:
    batch = _big_batch(walk)
    barrier = threading.Barrier(2)
    answers: dict[str, Answer] = {}

    def send(name: str, client: Client) -> None:
        barrier.wait(timeout=30)
        answers[name] = client.sync(batch)

    threads = [threading.Thread(target=send, args=p) for p in (("a", script_a), ("b", script_b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert set(answers) == {"a", "b"}
    final = {}
    for name, client in (("a", script_a), ("b", script_b)):
        answer = answers[name]
        if answer.status == 409:  # the product's "send again": the other one won the race
            answer = client.sync(batch)
            assert [r["status"] for r in answer.json()["results"]] == ["unchanged"] * len(batch)
        assert answer.status == 200, answer.text
        final[name] = {r["id"]: r["status"] for r in answer.json()["results"]}
    for record in batch:
        statuses = sorted(final[name][record["id"]] for name in final)
        assert statuses == ["created", "unchanged"], (record["id"], statuses, answers)
    ids = [r["id"] for r in batch if r["type"] == "fact"]
    counted = deployment.rows("SELECT count(*) FROM facts WHERE id::text = ANY(%s)", ids)
    assert counted == [(FACTS,)]
    statements = deployment.rows(
        "SELECT count(*) FROM statements WHERE id::text = %s", batch[0]["id"]
    )
    assert statements == [(1,)]


def _cache_keys(deployment: Deployment) -> set[bytes]:
    """The page cache's keys: CACHE_KEY_PREFIX, then the version of the code that
    rendered them. One version: both servers run the same code (a file changed under
    gemba/ while they started would make them build apart)."""
    keys = set(deployment.redis.scan_iter(match="gemba:*"))
    versions = {key.split(b":")[1] for key in keys}
    assert len(versions) <= 1, f"the servers run different code: {versions}"
    return keys


def _without_tokens(page: str) -> str:
    """A page without what is made per request (CSRF tokens, script nonces)."""
    page = re.sub(r'(name="csrf_token"[^>]*value=")[^"]*"', r'\1"', page)
    return re.sub(r'nonce="[^"]*"', "", page)


def _page_cached_by_a_is_rebuilt_for_b_after_a_write(
    deployment: Deployment, browser_b: Client, script_a: Client, walk: str
) -> None:
    browser_a = browser_b.on(script_a.server)  # the session made on B, sent to A
    path = f"/walks/{walk}"
    before = _cache_keys(deployment)
    first = browser_a.request("GET", path)
    assert first.status == 200
    assert "<h1>Line 3 changeover</h1>" in first.text
    built = _cache_keys(deployment)
    assert built > before, "the walk page was not cached in Redis"
    second = browser_b.request("GET", path)
    assert second.status == 200
    assert _without_tokens(second.text) == _without_tokens(first.text)
    assert _cache_keys(deployment) == built, "B rebuilt the page A had cached"

    text = f"Forklift parked in the walkway {uid()}"
    wrote = script_a.sync([{"type": "fact", "id": uid(), "walk": walk, "text": text}])
    assert wrote.status == 200, wrote.text
    third = browser_b.request("GET", path)
    assert third.status == 200
    assert text in third.text, "B served the page from before the write"
    assert _cache_keys(deployment) > built


def _cron_lines_run(deployment: Deployment) -> None:
    """Every cron line once, as cron would run it, all at the same moment (each is safe
    alongside the others and the servers); each exits 0."""
    commands = deployment.guide.cron_commands()
    assert any("flask --app gemba notify" in c for c in commands), commands
    with ThreadPoolExecutor(len(commands)) as pool:
        list(pool.map(deployment.run, commands))


def _failed_logins_on_a_count_on_b(redis: Redis, a: AppServer, b: AppServer) -> None:
    """The account's failed logins, half on each server and each from an address of its
    own (so the per-address limit never applies), add up in Redis: the next attempt on B
    is refused with 429, even with the right password."""
    csrf_page = Client(a, address="192.0.2.200")
    csrf = csrf_page.csrf_token()
    for n in range(ACCOUNT_LIMIT):
        server = a if n % 2 == 0 else b
        client = csrf_page.on(server)
        client.address = f"192.0.2.{n + 1}"
        answer = client.login(ADMIN_EMAIL, "not the password", csrf)
        assert answer.status == 200, (n, server.name, answer.status)
        assert "E-mail or password is wrong" in answer.text
    last = csrf_page.on(b)
    last.address = "192.0.2.100"
    refused = last.login(ADMIN_EMAIL, ADMIN_PASSWORD, csrf)
    assert refused.status == 429, refused.status
    assert any(b"LIMITER" in key for key in redis.scan_iter()), "no counters in Redis"
