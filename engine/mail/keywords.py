"""Finding keywords in a text: Aho–Corasick over case-folded characters, so Chinese
(维修, 退款) is found without word boundaries and all keywords in one pass."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable


class KeywordMatcher:
    """Built once from the keywords; `count(text)` counts each keyword's occurrences."""

    def __init__(self, keywords: Iterable[str]) -> None:
        self.goto: list[dict[str, int]] = [{}]
        self.fail: list[int] = [0]
        self.out: list[list[str]] = [[]]
        for word in dict.fromkeys(k.casefold() for k in keywords if k):
            self._add(word)
        self._link()

    def _add(self, word: str) -> None:
        state = 0
        for char in word:
            following = self.goto[state].get(char)
            if following is None:
                following = len(self.goto)
                self.goto.append({})
                self.fail.append(0)
                self.out.append([])
                self.goto[state][char] = following
            state = following
        self.out[state].append(word)

    def _link(self) -> None:
        queue = deque(self.goto[0].values())
        while queue:
            state = queue.popleft()
            for char, following in self.goto[state].items():
                queue.append(following)
                back = self.fail[state]
                while back and char not in self.goto[back]:
                    back = self.fail[back]
                target = self.goto[back].get(char, 0)
                self.fail[following] = target if target != following else 0
                self.out[following] = self.out[following] + self.out[self.fail[following]]

    def count(self, text: str) -> dict[str, int]:
        """keyword (case-folded) -> how many times it occurs in `text`."""
        found: dict[str, int] = {}
        state = 0
        for char in text.casefold():
            while state and char not in self.goto[state]:
                state = self.fail[state]
            state = self.goto[state].get(char, 0)
            for word in self.out[state]:
                found[word] = found.get(word, 0) + 1
        return found
