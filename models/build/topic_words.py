"""Prints the topic words of lexicons/topic_words.txt: the keywords of keywords.py (written for
fankui from the topic taxonomy, not fitted to data) whose precision for their topic is at least
P_MIN on the hand-labelled real units of TRAIN shops, with at least MIN_UNITS such units.

Data: the hand labels of data/real_labels/ joined with ../shared/data/real/ (real_data.py);
only train shops are read, so real_dev stays unseen by the choice; round 5's clauses
(rd.TARGETED_BATCHES, picked by the model's own misses) are left out.

    .venv/bin/python topic_words.py > /tmp/words.txt   # compare with lexicons/topic_words.txt
"""

import common
import real_data as rd
from keywords import KEYWORDS

P_MIN = 0.9
MIN_UNITS = 5


def main():
    # round 5's clauses were drawn for the model's blind spots, not at random: precision on them
    # says little about a word in real text
    rows = [r for r in rd.load_labels("train") if r["batch"] not in rd.TARGETED_BATCHES]
    texts = [common.normalize(r["text"]) for r in rows]
    for topic, words in KEYWORDS.items():
        kept = []
        for w in words:
            hit = [r for r, t in zip(rows, texts) if w in t]
            if len(hit) >= MIN_UNITS and sum(topic in r["aspects"] for r in hit) / len(hit) >= P_MIN:
                kept.append(w)
        if kept:
            print(f"{topic}\t{' '.join(kept)}")


if __name__ == "__main__":
    main()
