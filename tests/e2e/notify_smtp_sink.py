"""A loopback SMTP sink for the notify tests (aiosmtpd handler).

Run: PYTHONPATH=tests/e2e python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c notify_smtp_sink.Sink DIR
Each accepted message is written to DIR/<n>.eml (atomically, after the end of data).
Recipients containing "reject" get 550 at RCPT; "tempfail" gets 451 the first time.
The first time, a recipient containing "hold" makes the server wait $SINK_SLOW seconds at
RCPT (before any data), and one containing "slow" makes the server wait $SINK_SLOW seconds (default 3) after
writing the message and before answering the end of data (to kill a client mid-reply).
"""
import asyncio
import itertools
import os


class Sink:
    def __init__(self, directory):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        self.counter = itertools.count(len(os.listdir(directory)) + 1)
        self.tempfailed = set()
        self.held = set()

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("notify_smtp_sink.Sink takes one argument: the directory")
        return cls(args[0])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "reject" in address:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if "tempfail" in address and address not in self.tempfailed:
            self.tempfailed.add(address)
            return "451 4.3.0 try again later"
        if "hold" in address and address not in self.held:
            self.held.add(address)
            await asyncio.sleep(float(os.environ.get("SINK_SLOW", "3")))
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        path = os.path.join(self.directory, "%06d.eml" % n)
        with open(path + ".tmp", "wb") as f:
            f.write(("X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        if any("slow" in r and r not in self.held for r in envelope.rcpt_tos):
            self.held.update(envelope.rcpt_tos)
            await asyncio.sleep(float(os.environ.get("SINK_SLOW", "3")))
        return "250 2.0.0 Ok: queued as %d" % n
