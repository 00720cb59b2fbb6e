"""Corpus runs: input formats and their errors, batching across documents, resume, aggregates, the CLI.

The engine is real: Apertium where the outcome matters, and otherwise the ``command`` backend
running a small shell script (a real external program) that records what it is asked to translate.
"""

from __future__ import annotations

import csv
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import compare
from compare.corpus import CorpusReader, Document, pipe, run_corpus
from compare.errors import ArgumentValueError, InputError

ROOT = Path(__file__).resolve().parent.parent
MTCOMPARE = [sys.executable, "-m", "compare"]

DOCS = [
    ("a", "Daesh fighters were moved to the north.\n\nThe regime shelled the town."),
    ("b", "The terrorists left the city. Daesh fighters were moved to the north."),
    ("c", "Kurdish militias took the village."),
]


def upper_script(tmp_path: Path, kill_after: int | None = None) -> Path:
    """A translator that upper-cases each line and logs every line it gets to ``calls.log``.

    With ``tmp_path/arm`` present, its ``kill_after``-th run kills the process that started it (the
    way ``kill -9`` would), once.
    """
    script = tmp_path / "upper.sh"
    log, count, arm = tmp_path / "calls.log", tmp_path / "count", tmp_path / "arm"
    script.write_text(
        "#!/bin/sh\n"
        f'n=$(cat "{count}" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "{count}"\n'
        f'if [ -f "{arm}" ] && [ "$n" -ge "{kill_after or 0}" ]; then rm -f "{arm}"; kill -9 $PPID; exit 1; fi\n'
        f'tee -a "{log}" | tr a-z A-Z\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def logged(tmp_path: Path) -> list[str]:
    log = tmp_path / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def run_cli(*args: str, input: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([*MTCOMPARE, *args], capture_output=True, text=True, input=input, env=env, cwd=cwd)


# --- reading ----------------------------------------------------------------------------------------


def test_reads_each_format_in_order(tmp_path: Path) -> None:
    folder = tmp_path / "texts"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.txt").write_text("Second.", encoding="utf-8")
    (folder / "a.txt").write_text("First.", encoding="utf-8")
    (folder / "sub" / "c.txt").write_text("Third.", encoding="utf-8")
    (folder / "notes.md").write_text("not a text", encoding="utf-8")
    assert [(d.id, d.text) for d in CorpusReader(folder)] == [
        ("a.txt", "First."),
        ("b.txt", "Second."),
        ("sub/c.txt", "Third."),
    ]

    rows = [{"id": "x", "body": "One.", "lang": "de"}, {"id": 7, "body": "Two."}]
    jsonl = write_jsonl(tmp_path / "c.jsonl", rows)
    docs = list(CorpusReader(jsonl, text_field="body", lang_field="lang"))
    assert docs == [Document("x", "One.", "de"), Document("7", "Two.", None)]

    with open(tmp_path / "c.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text"])
        writer.writerow(["r1", 'A "quoted", multi-line\ntext.'])
    assert [d.text for d in CorpusReader(tmp_path / "c.csv")] == ['A "quoted", multi-line\ntext.']
    (tmp_path / "c.tsv").write_text("id\ttext\nt1\tTabbed text.\n", encoding="utf-8")
    assert [d.id for d in CorpusReader(tmp_path / "c.tsv")] == ["t1"]


def test_empty_texts_are_skipped_and_counted(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "c.jsonl", [{"id": "a", "text": "Hi."}, {"id": "b", "text": "  \n"}, {"id": "c", "text": ""}]
    )
    reader = CorpusReader(path)
    assert [d.id for d in reader] == ["a"]
    assert reader.skipped_empty == 2
    assert reader.check() == 1


@pytest.mark.parametrize(
    ("content", "kwargs", "message"),
    [
        ('{"id": "a", "text": "x"}\n{"id": "b" "text": "y"}\n', {}, r"c\.jsonl line 2 is not JSON: Expecting"),
        (
            '{"id": "a", "text": "x"}\n{"text": "y"}\n',
            {},
            r"line 2 has no 'id' field \(its fields: text\); pass --id-field",
        ),
        ('{"id": "a", "body": "x"}\n', {}, r"line 1 has no 'text' field \(its fields: id, body\); pass --text-field"),
        (
            '{"id": "a", "text": "x"}\n\n{"id": "a", "text": "y"}\n',
            {},
            r"line 3: document id 'a' is used twice \(first at .*line 1\)",
        ),
        ('["a", "x"]\n', {}, r"line 1 is a JSON list; expected an object"),
        ('{"id": "a", "text": 5}\n', {}, r"line 1: the text must be a string, not int"),
        ('{"id": null, "text": "x"}\n', {}, r"line 1: the id must be a non-empty string or an integer"),
        ('{"id": "a", "text": "x", "lang": "xx-nonsense"}\n', {"lang_field": "lang"}, r"line 1: "),
    ],
)
def test_bad_jsonl_rows_get_one_line_each(tmp_path: Path, content: str, kwargs: dict, message: str) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        CorpusReader(path, **kwargs).check()
    assert "\n" not in str(info.value)


def test_bad_csv_gets_one_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id;text\na;One.\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"does not split on the comma delimiter but does on the semicolon; pass --delimiter ';'"
    ):
        CorpusReader(path).check()
    assert [d.text for d in CorpusReader(path, delimiter=";")] == ["One."]
    path.write_text("id,body\na,One.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no 'text' column; the columns are: id, body"):
        CorpusReader(path).check()
    path.write_text("id,text\na,One.,extra\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2 has 3 fields; the header has 2"):
        CorpusReader(path).check()


def test_bad_sources_get_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="corpus not found"):
        CorpusReader(tmp_path / "missing.jsonl")
    (tmp_path / "x.docx").write_text("?", encoding="utf-8")
    with pytest.raises(InputError, match="cannot tell the format"):
        CorpusReader(tmp_path / "x.docx")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no .txt file"):
        CorpusReader(tmp_path / "empty").check()
    (tmp_path / "bad.jsonl").write_bytes(b'{"id": "a", "text": "x"}\n{"id": "b", "text": "\xff"}\n')
    with pytest.raises(InputError, match=r"bad\.jsonl line 2 is not UTF-8"):
        CorpusReader(tmp_path / "bad.jsonl").check()


# --- batching ---------------------------------------------------------------------------------------


def test_segments_are_translated_once_across_documents_and_paths(tmp_path: Path) -> None:
    script = upper_script(tmp_path)
    results = list(pipe(DOCS, via=["es", "ca"], backends=[f"command:{script}"], cache=False, analyse=False))
    assert [r.id for r in results] == ["a", "b", "c"]
    calls = logged(tmp_path)
    # "Daesh fighters were moved to the north." occurs in two documents: the first hop of each path
    # (en→es, en→ca) translates it once; the back hops get distinct upper-cased texts once each.
    first_hop = [c for c in calls if not c.isupper()]
    assert sorted(first_hop) == sorted(
        2 * ["Daesh fighters were moved to the north.", "The regime shelled the town.", "The terrorists left the city.",
             "Kurdish militias took the village."]
    )  # fmt: skip
    b = results[1].result
    assert [p.name for p in b.paths] == ["en>es>en (command:upper.sh)", "en>ca>en (command:upper.sh)"]
    assert b.paths[0].back.segments == ("THE TERRORISTS LEFT THE CITY.", "DAESH FIGHTERS WERE MOVED TO THE NORTH.")
    assert [s.document for s in b.segments] == ["b", "b"]


def test_each_document_gets_what_a_run_of_it_alone_gets(apertium: str) -> None:
    docs = DOCS[:2]
    results = {r.id: r.result for r in pipe(docs, via=["es"], cache=False, chunk_segments=2)}
    for doc_id, text in docs:
        alone = compare.roundtrip(compare.segment_text(text, "en", document=doc_id), via=["es"], cache=False)
        mine = results[doc_id]
        assert [h.segments for h in mine.paths[0].hops] == [h.segments for h in alone.paths[0].hops]
        assert mine.paths[0].signature == alone.paths[0].signature
        assert [s.to_dict() for s in mine.analysis.paths[0].shifts] == [
            s.to_dict() for s in alone.analysis.paths[0].shifts
        ]


def test_library_input_is_checked() -> None:
    with pytest.raises(compare.ArgumentError, match=r"documents\[0\] must be a Document"):
        list(pipe([5], via=["es"], backends=["command:cat"]))
    with pytest.raises(ArgumentValueError, match="no pivot language"):
        list(pipe(DOCS, backends=["command:cat"]))


# --- runs into a folder -----------------------------------------------------------------------------


def settings_for(script: Path) -> dict:
    return {
        "input": "test",
        "via": ["es"],
        "systems": [["upper", f"command:{script}"]],
        "metrics": ["bleu", "chrf", "ter"],
    }


def run_into(outdir: Path, script: Path, docs: list[tuple[str, str]], **kwargs) -> compare.corpus.CorpusSummary:
    return run_corpus(
        [Document(i, t) for i, t in docs],
        outdir,
        settings_for(script),
        via=["es"],
        backends={"upper": f"command:{script}"},
        cache=False,
        chunk_segments=1,
        **kwargs,
    )


def test_corpus_metrics_are_sacrebleus_corpus_scores(tmp_path: Path) -> None:
    import sacrebleu

    script = upper_script(tmp_path)
    done = run_into(tmp_path / "out", script, DOCS)
    assert (done.documents, done.segments, done.resumed) == (3, 5, 0)
    refs = [s.text for _, t in DOCS for s in compare.segment_text(t, "en")]
    hyps = [r.upper() for r in refs]
    scores = {m["metric"]: m["score"] for m in done.aggregates["paths"][0]["metrics"]}
    assert scores["BLEU"] == pytest.approx(sacrebleu.corpus_bleu(hyps, [refs]).score)
    assert scores["chrF2++"] == pytest.approx(sacrebleu.corpus_chrf(hyps, [refs], word_order=2).score)
    assert scores["TER"] == pytest.approx(sacrebleu.corpus_ter(hyps, [refs]).score)
    stats = done.aggregates["statistics"]
    assert stats["settings"]["unit"] == "document"
    isis = [r for r in stats["rates"] if r["concept"] == "isis" and r["outcome"] == "kept"]
    assert isis and isis[0]["denominator"] == 2
    on_disk = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert on_disk == json.loads(json.dumps(done.aggregates))
    # The run added up the statistics its analysis scored each document with; scored again from the
    # file (as a resumed run scores the documents of the run before), the corpus scores are the same.
    from compare.corpus.run import aggregate

    again = aggregate(tmp_path / "out" / "documents.jsonl", {"metrics": ["bleu", "chrf", "ter"]})
    assert again["paths"] == done.aggregates["paths"]


def test_a_killed_run_resumes_to_the_same_bytes(tmp_path: Path) -> None:
    """kill -9 in the middle (the engine kills its caller), run again: identical files, finished work kept."""
    many = [(f"d{i:02d}", f"Document {i} says the terrorists left. Sentence {i} ends here.") for i in range(16)]
    # One document per chunk, two engine runs per chunk (there and back, each on its own stage
    # thread): the 13th run is chunk 7's first hop. A stage hands a chunk on only into an empty queue
    # (of one), so by then the second stage had taken chunk 5, after handing chunk 4 on, when the
    # reader had taken chunk 3 and so written chunks 1 and 2 — whatever the machine's load.
    script = upper_script(tmp_path, kill_after=13)
    run_into(tmp_path / "ref", script, many)  # the same engine (and so signature), never killed
    (tmp_path / "count").unlink()
    (tmp_path / "arm").touch()
    code = (
        f"import sys, json; from pathlib import Path; sys.path.insert(0, {str(ROOT)!r})\n"
        "from tests.test_corpus import run_into\n"
        "many = json.loads(sys.argv[1]); run_into(Path(sys.argv[2]), Path(sys.argv[3]), [tuple(d) for d in many])\n"
    )
    args = [sys.executable, "-c", code, json.dumps(many), str(tmp_path / "out"), str(script)]
    killed = subprocess.run(args, capture_output=True, text=True)
    assert killed.returncode == -9, killed.stderr
    partial = (tmp_path / "out" / "documents.jsonl").read_text()
    assert 2 <= partial.count("\n") < len(many)
    assert not (tmp_path / "out" / "summary.json").exists()

    done = subprocess.run(args[:-1] + [str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for name in ("documents.jsonl", "summary.json", "run.json"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name


def test_a_half_written_line_is_dropped_and_redone(tmp_path: Path) -> None:
    script = upper_script(tmp_path)
    run_into(tmp_path / "ref", script, DOCS)
    out = tmp_path / "out"
    run_into(out, script, DOCS)
    lines = (out / "documents.jsonl").read_bytes().splitlines(keepends=True)
    (out / "documents.jsonl").write_bytes(lines[0] + lines[1][:50])
    (out / "summary.json").unlink()
    again = run_into(out, script, DOCS)
    assert again.resumed == 1
    assert (out / "documents.jsonl").read_bytes() == (tmp_path / "ref" / "documents.jsonl").read_bytes()


def test_changed_settings_are_refused_unless_restart(tmp_path: Path) -> None:
    script = upper_script(tmp_path)
    out = tmp_path / "out"
    run_into(out, script, DOCS)
    other = {**settings_for(script), "via": ["ca"]}
    with pytest.raises(
        ArgumentValueError, match=r'holds a run with other settings \(via: \["es"\] → \["ca"\]\); pass --restart'
    ):
        run_corpus(
            [Document(i, t) for i, t in DOCS], out, other, via=["ca"], backends=[f"command:{script}"], cache=False
        )
    done = run_corpus(
        [Document(i, t) for i, t in DOCS],
        out,
        other,
        restart=True,
        via=["ca"],
        backends=[f"command:{script}"],
        cache=False,
    )
    assert done.resumed == 0 and done.aggregates["paths"][0]["path"].startswith("en>ca>en")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "thesis.tex").write_text("mine")
    with pytest.raises(ArgumentValueError, match="is not empty and holds no corpus run"):
        run_into(tmp_path / "busy", script, DOCS)


# --- the command ------------------------------------------------------------------------------------


def test_cli_runs_a_folder_and_says_one_line(tmp_path: Path, apertium: str) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    for doc_id, text in DOCS:
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    (folder / "empty.txt").write_text("\n", encoding="utf-8")
    out = tmp_path / "out"
    done = run_cli("corpus", str(folder), "--via", "es", "-o", str(out), "--cache-dir", str(tmp_path / "cache"))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mtcompare: note: corpus: 3 documents, 5 segments; 1 empty skipped")
    rows = [json.loads(line) for line in (out / "documents.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a.txt", "b.txt", "c.txt"]
    result = compare.RoundTrip.from_dict(rows[0]["result"])
    assert result.paths[0].name == "en>es>en (apertium)" and result.analysis is not None
    summary = json.loads((out / "summary.json").read_text())
    assert summary["documents"] == 3 and summary["skipped_empty"] == 1

    again = run_cli("corpus", str(folder), "--via", "es", "-o", str(out), "--cache-dir", str(tmp_path / "cache"))
    assert again.returncode == 0 and "3 of them from an earlier run" in again.stderr
    changed = run_cli("corpus", str(folder), "--via", "ca", "-o", str(out), "--cache-dir", str(tmp_path / "cache"))
    assert changed.returncode != 0
    assert changed.stderr.count("\n") == 1 and "pass --restart" in changed.stderr


def test_cli_reads_stdin_jsonl_and_reports_bad_rows(tmp_path: Path) -> None:
    script = upper_script(tmp_path)
    rows = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in DOCS)
    done = run_cli(
        "corpus", "-", "--via", "es", "-b", f"command:{script}", "-o", str(tmp_path / "out"), "--no-cache", input=rows
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "documents.jsonl").read_text().count("\n") == 3
    bad = run_cli(
        "corpus", "-", "--via", "es", "-b", f"command:{script}", "-o", str(tmp_path / "o2"), input=rows + "{oops\n"
    )
    assert bad.returncode != 0
    assert bad.stderr.startswith("mtcompare: error: <stdin> line 4 is not JSON") and bad.stderr.count("\n") == 1
    path = write_jsonl(tmp_path / "dup.jsonl", [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}])
    dup = run_cli("corpus", str(path), "--via", "es", "-b", f"command:{script}", "-o", str(tmp_path / "o3"))
    assert dup.returncode != 0 and "document id 'a' is used twice" in dup.stderr
    assert not (tmp_path / "o3").exists()  # refused before anything was written


def test_cli_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    from .test_progress import run_with_tty_stderr

    script = upper_script(tmp_path)
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": i, "text": t} for i, t in DOCS])
    args = ["corpus", str(corpus), "--via", "es", "-b", f"up=command:{script}", "--no-cache", "--chunk-segments", "1"]
    code, out, tty = run_with_tty_stderr(*args, "-o", str(tmp_path / "o1"))
    assert code == 0, tty
    assert "documents" in tty and "en→es (up) segments" in tty and "es→en (up) segments" in tty
    assert "doc/s" in tty and "seg/s" in tty
    assert "mtcompare: note: corpus: 3 documents" in tty  # the summary line stays
    code, out, tty = run_with_tty_stderr(*args, "-o", str(tmp_path / "o2"), "--quiet")
    assert code == 0 and tty.strip() == ""
    events: list[compare.corpus.CorpusProgress] = []
    list(pipe(DOCS, via=["es"], backends={"up": f"command:{script}"}, cache=False, progress=events.append))
    assert [e.documents for e in events if not e.hop] == [1, 2, 3]
    assert max(e.hop_segments for e in events if e.hop == "en→es (up)") == 4  # distinct segments


def test_a_resumed_chunk_is_translated_as_the_whole_run_translated_it(tmp_path: Path, apertium: str) -> None:
    """Apertium's translation of a segment can depend on the segments before it in its batch: after "It
    includes C-SPAN." the tagger reads the next sentence's "said that" as "dicho aquello", alone as
    "dijo que". A run resumed after the first document of a chunk translates that chunk whole again,
    so the second document comes out as the uninterrupted run made it."""
    docs = [("d0", "It includes C-SPAN."), ("d1", "Mr. Merriweather said that St. Martin's did not replace him.")]
    settings = {"input": "test", "via": ["es"], "systems": [["apertium"]]}

    def run(out: Path) -> compare.corpus.CorpusSummary:
        return run_corpus([Document(i, t) for i, t in docs], out, settings, via=["es"], cache=False, chunk_segments=2)

    run(tmp_path / "whole")
    whole = (tmp_path / "whole" / "documents.jsonl").read_text(encoding="utf-8")
    assert "dicho aquello" in whole  # the premise: d1 after d0 in one batch
    resumed = tmp_path / "resumed"
    resumed.mkdir()
    (resumed / "run.json").write_bytes((tmp_path / "whole" / "run.json").read_bytes())
    (resumed / "documents.jsonl").write_text(whole.splitlines(keepends=True)[0], encoding="utf-8")
    assert run(resumed).resumed == 1
    for name in ("documents.jsonl", "summary.json"):
        assert (resumed / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
