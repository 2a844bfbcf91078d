"""Sending the notifications of the outbox: the channels, and the dispatcher that claims unsent rows,
makes each message's words from its case and hands it to a channel.

Channels (`send(recipient, text, lang) -> reference`, raising ChannelError when it did not go):
- `inbox`: the site's own inbox (/notifications). The row of the outbox is the stored message: the
  dispatcher marks it delivered, and the page says it in its reader's language, made from the case's
  log up to that step, so it reads as it did when it was sent. The recipient is a citizen ID number,
  which the page finds through the account bound to it (store/users.py `users.id_number`).
- `sms`: an SMS gateway at a URL (`HUKOU_SMS_URL`): one HTTP POST of JSON
  `{"id_number", "text", "lang"}` per message, with a timeout; any answer but 2xx is a failure. The
  gateway (the city's messaging platform) knows the mobile number registered to each ID number; this
  service keeps none.
- `log`: the message written to the log (logger `hukou.notifications`), the number masked.

Which channels get rows: `HUKOU_NOTIFY_CHANNELS` (comma-separated; empty: none), by default `inbox`,
plus `sms` when `HUKOU_SMS_URL` is set. The server runs a `Dispatcher` thread (every few seconds,
`HUKOU_NOTIFY_EVERY`, 0 to turn it off); `hukou notify send` does one round from cron.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Callable, Mapping, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hukou.cases import case as C
from hukou.cases.deadlines import TimeLimits
from hukou.cases.errors import CaseError
from hukou.cases.parties import masked
from hukou.notify.messages import text as message_text
from hukou.policy.errors import InputError
from hukou.store import notifications_outbox as outbox
from hukou.store.case_repository import CaseRepository

if TYPE_CHECKING:
    from hukou.services.casework import Casework

log = logging.getLogger("hukou.notifications")
CHANNELS = ("inbox", "sms", "log")
BATCH = 50
EVERY_S = 5.0
SMS_TIMEOUT_S = 10.0


class ChannelError(Exception):
    """A message did not go; the text says why (kept on the row as its last error)."""


class Channel(Protocol):
    name: str
    lang: str  # the language its messages are made in

    def send(self, recipient: str, text: str, lang: str) -> str: ...


@dataclass
class InboxChannel:
    """The site's inbox: delivery is the outbox row marked sent (the page makes the words)."""

    name: str = "inbox"
    lang: str = "zh"

    def send(self, recipient: str, text: str, lang: str) -> str:
        return "inbox"


@dataclass
class LogChannel:
    name: str = "log"
    lang: str = "zh"

    def send(self, recipient: str, text: str, lang: str) -> str:
        log.info("notification to %s: %s", masked(recipient), text)
        return "log"


@dataclass
class SmsGatewayChannel:
    """An HTTP gateway that sends SMS: POST {"id_number", "text", "lang"} as JSON to `url`."""

    url: str
    timeout: float = SMS_TIMEOUT_S
    name: str = "sms"
    lang: str = "zh"

    def send(self, recipient: str, text: str, lang: str) -> str:
        body = json.dumps({"id_number": recipient, "text": text, "lang": lang}, ensure_ascii=False).encode()
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                reply = answer.read(10_000)
        except urllib.error.HTTPError as exc:
            raise ChannelError(f"the SMS gateway answered HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ChannelError(f"the SMS gateway did not answer: {reason}") from None
        try:
            found = json.loads(reply or b"{}")
        except ValueError:
            found = {}
        return str(found.get("id", "")) if isinstance(found, dict) else ""


def configured_channels(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The channels notifications are written for (HUKOU_NOTIFY_CHANNELS, else inbox and, with a
    gateway's URL, sms)."""
    env = os.environ if env is None else env
    given = env.get("HUKOU_NOTIFY_CHANNELS")
    if given is None:
        return ("inbox", "sms") if env.get("HUKOU_SMS_URL") else ("inbox",)
    names = tuple(n.strip() for n in given.split(",") if n.strip())
    unknown = [n for n in names if n not in CHANNELS]
    if unknown:
        raise InputError("HUKOU_NOTIFY_CHANNELS", f"expected some of {', '.join(CHANNELS)} (got {unknown[0]!r})")
    return names


def channel(name: str, env: Mapping[str, str] | None = None) -> Channel:
    """The channel called `name`, configured from the environment."""
    env = os.environ if env is None else env
    if name == "inbox":
        return InboxChannel()
    if name == "log":
        return LogChannel()
    if name == "sms":
        url = env.get("HUKOU_SMS_URL", "")
        if not url.startswith(("http://", "https://")):
            raise InputError("HUKOU_SMS_URL", "the sms channel needs the gateway's http(s) URL in HUKOU_SMS_URL")
        return SmsGatewayChannel(url, float(env.get("HUKOU_SMS_TIMEOUT") or SMS_TIMEOUT_S))
    raise InputError("channel", f"expected one of {', '.join(CHANNELS)} (got {name!r})")


@dataclass
class Round:
    """What one dispatch did."""

    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def dispatch(engine: Engine, channel: Channel, now: datetime, batch: int = BATCH,
             limits: TimeLimits = TimeLimits()) -> Round:
    """Claim up to `batch` due rows of `channel`, send each, and record the outcome. A row is claimed
    (marked) in its own transaction before it is sent, so no other dispatcher sends it too."""
    claimed = outbox.claim(engine, channel.name, now, batch)
    if not claimed:
        return Round()
    cases = _cases(engine, {c.case_id for c in claimed})
    sent, failed = [], {}
    for row in claimed:
        case = cases.get(row.case_id)
        try:
            if case is None:
                raise ChannelError("the case is not there")
            channel.send(row.recipient, message_text(case, row.seq, row.event, channel.lang, limits), channel.lang)
            sent.append(row.id)
        except ChannelError as exc:
            failed[row.id] = str(exc)
        except Exception as exc:  # noqa: BLE001 - a channel's bug must not leave the row marked as sent
            log.exception("notification %s: the channel failed", row.id)
            failed[row.id] = f"{type(exc).__name__}: {exc}"
    outbox.settle(engine, sent, failed)
    return Round(len(sent), len(failed), sorted(set(failed.values())))


def _cases(engine: Engine, ids: set[str]) -> dict[str, C.Case]:
    found = {}
    with Session(engine) as session:
        repository = CaseRepository(session)
        for case_id in ids:
            try:
                found[case_id] = repository.get(case_id)[0]
            except CaseError:
                pass
    return found


def send_all(engine: Engine, channels: list[Channel], now: Callable[[], datetime] = datetime.now,
             limits: Callable[[date], TimeLimits] = lambda _: TimeLimits(), batch: int = BATCH) -> Round:
    """Dispatch every channel until nothing due is left (a round of `hukou notify send`)."""
    total = Round()
    for ch in channels:
        while True:
            at = now()
            done = dispatch(engine, ch, at, batch, limits(at.date()))
            total.sent, total.failed = total.sent + done.sent, total.failed + done.failed
            total.errors += [e for e in done.errors if e not in total.errors]
            if done.sent + done.failed < batch or done.sent == 0:
                break
    return total


class Dispatcher(threading.Thread):
    """The server's dispatcher: a round every `every` seconds until stopped, over the channels of the
    casework services `casework()` gives (asked for on the first round: they connect lazily)."""

    def __init__(self, casework: Callable[[], "Casework"], every: float = EVERY_S):
        super().__init__(name="hukou-notifications", daemon=True)
        self.casework, self.every = casework, every
        self.stopping = threading.Event()

    def run(self) -> None:
        channels = None
        while not self.stopping.wait(self.every):
            try:
                cw = self.casework()
                channels = channels if channels is not None else [channel(name) for name in cw.channels]
                send_all(cw.engine, channels, limits=cw.limits)
            except Exception:  # noqa: BLE001 - the next round tries again; the server goes on
                log.exception("a round of notifications failed")

    def stop(self) -> None:
        self.stopping.set()


# --- the site's inbox ------------------------------------------------------------------------------

@dataclass(frozen=True)
class InboxMessage:
    id: int
    case_id: str
    number: str
    event: str
    at: datetime
    text: str


def inbox(engine: Engine, id_number: str | None, lang: str, limits: TimeLimits = TimeLimits(),
          limit: int = 100) -> list[InboxMessage]:
    """The messages the inbox delivered to the person with this ID number, newest first, in `lang`.
    Their words hold only a case number and a step, so reading them is not a read of a case."""
    if not id_number:
        return []
    rows = outbox.inbox(engine, id_number, InboxChannel.name, limit)
    cases = _cases(engine, {r.case_id for r in rows})
    return [InboxMessage(r.id, r.case_id, cases[r.case_id].number or r.case_id[:8], r.event, r.sent_at,
                         message_text(cases[r.case_id], r.seq, r.event, lang, limits, with_hint=False))
            for r in rows if r.case_id in cases]


def unread(engine: Engine, id_number: str | None, seen: int) -> int:
    """How many inbox messages came after the one with id `seen` (the newest the reader has seen)."""
    return outbox.delivered_since(engine, id_number, InboxChannel.name, seen) if id_number else 0
