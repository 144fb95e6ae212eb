"""Waiting for a screen to hold still before reading it (agent.watch.steady)."""
from PIL import Image, ImageDraw

from agent.watch.steady import steady_capture


def page(text: str, colour="white") -> Image.Image:
    img = Image.new("RGB", (640, 360), colour)
    ImageDraw.Draw(img).rectangle((40, 40, 40 + 30 * len(text), 120), fill="black")
    return img


class Frames:
    """A screen that shows ``frames`` in turn, one per capture, then stays on the last."""

    def __init__(self, *frames):
        self.frames, self.calls = list(frames), 0

    def __call__(self):
        self.calls += 1
        return self.frames[min(self.calls - 1, len(self.frames) - 1)]


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t

    def wait(self, seconds):
        self.t += seconds
        return False


def test_reads_once_two_captures_match():
    clock = Clock()
    blank, half, done = Image.new("RGB", (640, 360), "white"), page("ab"), page("abcdefgh")
    screen = Frames(blank, blank, half, done, done, page("later"))
    image, captures = steady_capture(screen, wait=clock.wait, clock=clock)
    assert image is done and captures == 5
    assert abs(clock.t - 4 * 0.12) < 1e-9


def test_blank_frames_are_not_steady():
    clock = Clock()
    blank = Image.new("RGB", (640, 360), "white")
    image, _ = steady_capture(Frames(blank, blank, blank, page("x")), wait=clock.wait, clock=clock)
    assert image.getpixel((50, 50)) == (0, 0, 0)


def test_gives_up_after_the_limit_with_the_last_capture():
    clock = Clock()
    frames = [page("x" * (i % 7 + 1), colour=(i * 20 % 255, 80, 80)) for i in range(40)]
    screen = Frames(*frames)
    image, captures = steady_capture(screen, wait=clock.wait, clock=clock, limit=1.0, gap=0.1)
    assert 10 <= captures <= 12 and image is frames[captures - 1]


def test_uses_the_capture_the_caller_holds_and_stops_on_request():
    first = page("abc")
    screen = Frames(page("abc"))
    image, captures = steady_capture(screen, first=first, wait=lambda s: False)
    assert captures == 1 and image is screen.frames[0]
    stopped = Frames(page("zz"))
    image, captures = steady_capture(stopped, first=first, wait=lambda s: True)
    assert image is first and captures == 0 and stopped.calls == 0


def test_a_blank_window_is_watched_longer_than_a_changing_one():
    clock = Clock()
    blank = Image.new("RGB", (640, 360), "white")
    painted = page("painted")
    screen = Frames(*([blank] * 20), painted, painted)   # painted after 2.4 s
    image, captures = steady_capture(screen, wait=clock.wait, clock=clock, limit=1.0, blank_limit=4.0)
    assert image is painted and captures == 22
    never = Frames(blank)
    image, captures = steady_capture(never, wait=clock.wait, clock=clock, limit=1.0, blank_limit=2.0)
    assert image is blank and 16 <= captures <= 18


def test_a_small_animation_does_not_keep_a_page_from_being_read():
    """The page is drawn; only a small spot changes (a blinking "call now" badge)."""
    clock = Clock()

    def with_badge(on):
        img = page("abcdefgh")
        if on:
            ImageDraw.Draw(img).rectangle((580, 10, 600, 24), fill="red")
        return img

    frames = [with_badge(i % 2 == 0) for i in range(10)]
    image, captures = steady_capture(Frames(*frames), wait=clock.wait, clock=clock)
    assert captures == 2 and image is frames[1]
    moved = [page("abcdefgh"), page("a")]            # a big change is not "nearly the same"
    image, captures = steady_capture(Frames(*moved), wait=clock.wait, clock=clock)
    assert captures == 3 and image is moved[1]
