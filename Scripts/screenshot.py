#!/usr/bin/env python3
"""A screenshot of a live page in headless chromium, taken once its scripts
have drawn: drives the browser over the DevTools protocol on a pipe
(--remote-debugging-pipe), waits until a JavaScript expression is true,
then writes a PNG. Standard library only.

    python3 Scripts/screenshot.py http://127.0.0.1:8080/ out.png --width 1280 --height 2300 \
        --until "document.querySelectorAll('svg.chart').length > 3"
"""
import argparse
import base64
import json
import os
import subprocess
import tempfile
import time


class Browser:
    def __init__(self, chromium, width, height):
        self.profile = tempfile.mkdtemp(prefix="chromium-")
        to_read, self.to_browser = os.pipe()
        self.from_browser, to_write = os.pipe()

        def descriptors():
            os.dup2(to_read, 3)
            os.dup2(to_write, 4)

        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
             "--remote-debugging-pipe", f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank"],
            pass_fds=(3, 4), preexec_fn=descriptors, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_read)
        os.close(to_write)
        self.buffer = b""
        self.next_id = 1

    def send(self, method, params=None, session=None):
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.next_id += 1
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self.buffer:
                chunk = os.read(self.from_browser, 1 << 16)
                if not chunk:
                    raise RuntimeError("the browser exited")
                self.buffer += chunk
            reply, self.buffer = self.buffer.split(b"\0", 1)
            reply = json.loads(reply)
            if reply.get("id") == message["id"]:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def close(self):
        self.process.kill()
        self.process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1600)
    parser.add_argument("--until", default="true", help="a JavaScript expression to wait for")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--chromium", default="chromium")
    args = parser.parse_args()
    browser = Browser(args.chromium, args.width, args.height)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        browser.send("Page.enable", session=session)
        browser.send("Page.navigate", {"url": args.url}, session=session)
        deadline = time.time() + args.timeout
        while True:
            result = browser.send("Runtime.evaluate", {"expression": f"Boolean({args.until})", "returnByValue": True}, session)
            if result.get("result", {}).get("value") is True:
                break
            if time.time() > deadline:
                raise SystemExit(f"error: {args.until} did not become true in {args.timeout} s")
            time.sleep(0.2)
        time.sleep(0.5)
        shot = browser.send("Page.captureScreenshot", {"format": "png"}, session)
        with open(args.out, "wb") as out:
            out.write(base64.b64decode(shot["data"]))
    finally:
        browser.close()


if __name__ == "__main__":
    main()
