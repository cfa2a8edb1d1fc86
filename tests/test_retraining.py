import csv
import hashlib
import json
import os
import signal
import subprocess
import sys

import pytest

import stanceclf
from stanceclf.cli import main
from stanceclf.labels import LabelProblems, read_labels
from stanceclf.persistence import card_path, load_model, read_model_card
from stanceclf.retraining import cross_validate_labels, load_training_data, search_settings, train_from_labels

# A label set of our own: four labels, six sentences each, in six documents.
FOUR = [
    ("The regulator fined the exchange for illegal token sales.", "enforcement", "d1"),
    ("Police raided three mining farms in Sichuan.", "enforcement", "d2"),
    ("央行查处了一批非法虚拟货币交易平台。", "enforcement", "d3"),
    ("监管部门对违规发行代币的公司处以罚款。", "enforcement", "d4"),
    ("Prosecutors charged the founder with fraud.", "enforcement", "d5"),
    ("警方捣毁了一个利用比特币洗钱的团伙。", "enforcement", "d6"),
    ("The city grants blockchain startups a tax rebate.", "subsidy", "d1"),
    ("Shenzhen offers rent subsidies to fintech firms.", "subsidy", "d2"),
    ("政府为区块链企业提供专项补贴。", "subsidy", "d3"),
    ("地方政府设立十亿元产业扶持基金。", "subsidy", "d4"),
    ("The province pays half of the firms' research costs.", "subsidy", "d5"),
    ("高新区对入驻企业给予三年免租优惠。", "subsidy", "d6"),
    ("Bitcoin jumped 8% to a record high on Tuesday.", "price_move", "d1"),
    ("Ether slid 5% in Asian trading.", "price_move", "d2"),
    ("比特币价格周三下跌百分之六。", "price_move", "d3"),
    ("以太坊一夜之间上涨超过百分之十。", "price_move", "d4"),
    ("Crypto prices swung wildly after the announcement.", "price_move", "d5"),
    ("狗狗币周末暴涨百分之二十。", "price_move", "d6"),
    ("The exchange named a former banker as its new chief executive.", "personnel", "d1"),
    ("The central bank appointed a new head of digital currency research.", "personnel", "d2"),
    ("该公司任命了新的首席技术官。", "personnel", "d3"),
    ("交易所创始人宣布辞去董事长职务。", "personnel", "d4"),
    ("The fund hired two senior analysts from Goldman Sachs.", "personnel", "d5"),
    ("数字货币研究所所长已经调任。", "personnel", "d6"),
]
FOUR_LABELS = ["enforcement", "personnel", "price_move", "subsidy"]
PROBES = {label: next(t for t, lab, _ in FOUR if lab == label) for label in FOUR_LABELS}


def write_csv(path, rows, header=("text", "label", "doc")):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def four_csv(tmp_path):
    return write_csv(tmp_path / "four.csv", FOUR)


@pytest.fixture(scope="module")
def four_model(tmp_path_factory):
    path = write_csv(tmp_path_factory.mktemp("four") / "four.csv", FOUR)
    model, card = train_from_labels([path], n_folds=3)
    return model, card, path


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# -- training on a file --------------------------------------------------------------------------


def test_train_a_four_label_model_save_it_and_use_it_in_a_new_process(capsys, tmp_path, four_csv):
    out = tmp_path / "models" / "mine.joblib"
    status, _, err = run(capsys, "train", "--data", four_csv, "--out", out, "--folds", "3")
    assert status == 0, err
    assert f"wrote {out} and {card_path(out)}" in err
    code = (
        "import json, sys, stanceclf\n"
        "model = stanceclf.load_model(sys.argv[1])\n"
        "print(json.dumps({'classes': model.classes_.tolist(), 'predicted': model.predict(json.loads(sys.argv[2])).tolist()}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(out), json.dumps(list(PROBES.values()))],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["classes"] == FOUR_LABELS
    assert result["predicted"] == list(PROBES)


def test_the_model_card_describes_data_settings_metrics_and_command(capsys, tmp_path, four_csv):
    out = tmp_path / "mine.joblib"
    status, _, err = run(capsys, "train", "--data", four_csv, "--out", out, "--folds", "3", "--seed", "7")
    assert status == 0, err
    card = read_model_card(out)
    assert card["labels"] == FOUR_LABELS
    data = card["training_data"]
    assert data["per_label"] == dict.fromkeys(FOUR_LABELS, 6)
    [described] = data["labelled"]["files"]
    assert described == {"path": str(four_csv), "format": "csv", "records": 24,
                         "sha256": hashlib.sha256(four_csv.read_bytes()).hexdigest()}
    assert data["seeds"] is None and len(data["sha256"]) == 64
    assert card["metrics"]["protocol"]["grouped_by"] == "doc"
    assert card["metrics"]["protocol"]["n_folds"] == 3
    assert card["metrics"]["pooled"]["n"] == 24
    assert set(card["metrics"]["per_language"]) == {"en", "zh"}
    assert card["settings"]["chosen_by"] == "defaults" and card["settings"]["random_state"] == 7
    assert card["command"] == f"stanceclf train --data {four_csv} --out {out} --folds 3 --seed 7"
    for library in ("stanceclf", "scikit-learn", "numpy", "jieba", "python"):
        assert library in card["versions"]


def test_without_doc_the_folds_are_stratified(tmp_path):
    path = write_csv(tmp_path / "nodoc.csv", [(t, lab) for t, lab, _ in FOUR], header=("text", "label"))
    data = load_training_data([path], n_folds=3)
    report = cross_validate_labels(data, n_folds=3)
    assert report["protocol"]["grouped_by"] is None
    assert report["pooled"]["n"] == 24


def test_folds_never_split_a_document(four_model):
    from stanceclf.retraining import _splits

    _, _, path = four_model
    records = read_labels(path)
    for train, test in _splits(records, 3, 0)[0]:
        assert not {records[i].doc for i in train} & {records[i].doc for i in test}


def test_python_api_returns_the_model_and_its_card(four_model):
    model, card, path = four_model
    assert model.classes_.tolist() == FOUR_LABELS
    assert card["command"] == f"stanceclf.train_from_labels([{str(path)!r}], n_folds=3)"
    assert stanceclf.train_from_labels is train_from_labels


# -- search ------------------------------------------------------------------------------------------

SMALL_FEATURES = ({"features": "char", "char_ngram_range": (1, 3)}, {"features": "word", "word_ngram_range": (1, 1)})
SMALL_CLASSIFIERS = ({"classifier": "nb", "alpha": 0.1}, {"classifier": "logreg", "C": 1.0})


def test_search_ranks_every_configuration_and_agrees_with_plain_cross_validation(tmp_path, four_csv):
    data = load_training_data([four_csv], n_folds=3)
    messages = []
    result = search_settings(data, n_folds=3, features=SMALL_FEATURES, classifiers=SMALL_CLASSIFIERS, progress=messages.append)
    assert len(result.ranking) == 4
    scores = [(-row["macro_f1"], row["brier"]) for row in result.ranking]
    assert scores == sorted(scores)
    assert len(messages) == 12 and messages[-1].startswith("[12/12] fold 3/3")
    # The search shares feature matrices between classifiers; the scores must
    # be those of fitting each configuration on its own.
    for row in result.ranking:
        params = {k: tuple(v) if isinstance(v, list) else v for k, v in row["params"].items()}
        alone = cross_validate_labels(data, params, n_folds=3)["pooled"]
        assert alone["macro_f1"] == pytest.approx(row["macro_f1"])
        assert alone["brier"] == pytest.approx(row["brier"])


def test_folds_in_parallel_give_the_same_scores(four_csv):
    data = load_training_data([four_csv], n_folds=3)
    one = search_settings(data, n_folds=3, features=SMALL_FEATURES[:1], classifiers=SMALL_CLASSIFIERS, n_jobs=1)
    two = search_settings(data, n_folds=3, features=SMALL_FEATURES[:1], classifiers=SMALL_CLASSIFIERS, n_jobs=2)
    assert [(r["settings"], r["macro_f1"]) for r in one.ranking] == [(r["settings"], r["macro_f1"]) for r in two.ranking]


def test_search_from_the_command_line_records_its_choice(capsys, tmp_path, four_csv):
    out = tmp_path / "searched.joblib"
    status, _, err = run(capsys, "train", "--data", four_csv, "--search", "--folds", "2", "--out", out)
    assert status == 0, err
    card = read_model_card(out)
    search = card["search"]
    assert search["n_configurations"] == len(search["ranking"]) == 24
    assert search["chosen"] == search["ranking"][0]["settings"]
    assert card["settings"]["chosen_by"] == "search"
    assert card["metrics"]["pooled"]["macro_f1"] == search["ranking"][0]["macro_f1"]
    assert card["params"]["classifier"] == card["settings"]["classifier"]
    assert "search #1:" in err


# -- seeds ---------------------------------------------------------------------------------------


def test_with_seeds_needs_the_same_labels(capsys, tmp_path, four_csv):
    out = tmp_path / "m.joblib"
    status, _, err = run(capsys, "train", "--data", four_csv, "--with-seeds", "--out", out)
    assert status == 2
    assert ("--with-seeds: your labels ['enforcement', 'personnel', 'price_move', 'subsidy'] are not the seed corpus's labels "
            "['industry_support', 'market_commentary', 'regulatory_crackdown'] (only in your data: ['enforcement', 'personnel', "
            "'price_move', 'subsidy']; only in the seed corpus: ['industry_support', 'market_commentary', 'regulatory_crackdown'])") in err
    assert "nothing was trained or written" in err
    assert not out.exists()


def test_with_seeds_adds_the_corpus_as_training_only_material(tmp_path):
    seed = stanceclf.build_training_set(["seeds"])[0]
    rows = [(f"Sentence number {k} about {label}.", label, f"d{k % 5}") for k, label in enumerate(stanceclf.LABELS * 5)]
    rows.append((seed.text, "market_commentary" if seed.label != "market_commentary" else "industry_support", "d9"))
    data = load_training_data([write_csv(tmp_path / "mine.csv", rows)], with_seeds=True)
    assert len(data.labelled.records) == 16
    assert data.seeds_overridden >= 1  # your label of a seed sentence replaces the seed's
    assert not any(r.text == seed.text for r in data.extra)
    assert {r.label for r in data.extra} == set(stanceclf.LABELS)
    assert data.describe()["seeds"]["n_sentences"] == len(data.extra)


def test_skip_labels_are_left_out_and_counted(tmp_path):
    rows = list(FOUR) + [("Unrelated sentence.", "skip", "d1")]
    data = load_training_data([write_csv(tmp_path / "s.csv", rows)], n_folds=3)
    assert len(data.labelled.records) == 24
    assert data.labelled.skipped == {"label 'skip'": 1}


# -- validation on the command line --------------------------------------------------------------------


def test_a_broken_file_is_reported_whole_and_nothing_is_written(capsys, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(
        b"text,label,doc\n"
        + "".join(f"{t},{lab},{d}\n" for t, lab, d in FOUR[:6]).encode()
        + b",personnel,d1\n"  # line 8
        + b"A hire.,,d2\n"  # line 9
        + b"Caf\xe9 chain fined.,enforcement,d3\n"  # line 10
        + b"The fund hired analysts.,personnel,d4\n"
        + b"The fund hired analysts.,subsidy,d5\n"
    )
    out = tmp_path / "m.joblib"
    status, stdout, err = run(capsys, "train", "--data", path, "--out", out)
    assert status == 2
    assert stdout == ""
    assert err.splitlines() == [
        "stanceclf: 5 problems in the input data:",
        f"  {path}:8: missing or empty 'text'",
        f"  {path}:9: missing label",
        f"  {path}:10: not UTF-8: byte 0xe9 at offset 449; save the file as UTF-8",
        f"  {path}:11: conflicting labels for the same text (line 11 'personnel', line 12 'subsidy'): 'The fund hired analysts.'",
        f"  {path}: label 'personnel' has 1 usable example; 5-fold cross-validation needs at least 5 per label",
        "stanceclf: nothing was trained or written",
    ]
    assert path.read_bytes().index(b"Caf\xe9") + 3 == 449
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.csv"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--search", "--out", "m.joblib"], "--search needs --data FILE"),
        (["train", "--with-seeds", "--format", "csv", "--out", "m.joblib"], "--with-seeds, --format need --data FILE"),
        (["train", "--seeds", "--data", "x.csv", "--out", "m.joblib"], "to add it to --data use --with-seeds"),
        (["train", "--data", "x.csv", "--search", "--no-cv", "--out", "m.joblib"], "drop --no-cv"),
        (["train", "--data", "x.csv", "--out", "m.pkl"], "--out must end in '.joblib'"),
        (["train", "--out", "m.joblib"], "--seeds, or --data FILE"),
        (["train", "--data", "x.csv", "--format", "xml", "--out", "m.joblib"], "invalid choice"),
        (["compare", "--model", "default", "--data", "x.csv"], "give two models or more"),
        (["suggest", "--data", "x.txt", "--n", "0"], "--n must be an integer >= 1"),
        (["suggest", "--data", "x.txt", "--similarity", "1.5"], "--similarity must be a number in (0, 1]"),
    ],
)
def test_usage_errors(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


# -- a failed save keeps the previous model ----------------------------------------------------------


def _pair(path):
    return path.read_bytes(), card_path(path).read_bytes()


def test_a_run_killed_while_saving_leaves_the_previous_model(capsys, tmp_path, four_csv):
    out = tmp_path / "mine.joblib"
    assert run(capsys, "train", "--data", four_csv, "--out", out, "--no-cv")[0] == 0
    before = _pair(out)
    # Retrain on other labels, and kill the process (SIGKILL: no clean-up
    # runs) the moment the save starts flushing the new artifact to disk.
    other = write_csv(tmp_path / "other.csv", [(t, "a" if k % 2 else "b", d) for k, (t, _, d) in enumerate(FOUR)])
    code = (
        "import os, signal, sys\n"
        "from stanceclf.cli import main\n"
        "os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, "train", "--data", str(other), "--out", str(out), "--no-cv"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert "stanceclf: training" in done.stderr and "wrote" not in done.stderr  # killed after training, while saving
    assert _pair(out) == before
    assert load_model(out).classes_.tolist() == FOUR_LABELS


def test_a_save_that_fails_reports_it_and_leaves_the_previous_model(capsys, tmp_path, four_csv, monkeypatch):
    out = tmp_path / "mine.joblib"
    assert run(capsys, "train", "--data", four_csv, "--out", out, "--no-cv")[0] == 0
    before = _pair(out)

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    status, _, err = run(capsys, "train", "--data", four_csv, "--out", out, "--no-cv", "--seed", "3")
    assert status != 0
    assert "No space left on device" in err
    monkeypatch.undo()
    assert _pair(out) == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# -- compare -------------------------------------------------------------------------------------------


@pytest.fixture
def held_out(tmp_path):
    rows = [
        ("The agency fined two exchanges for unlicensed trading.", "enforcement"),
        ("The district offers a grant to blockchain labs.", "subsidy"),
        ("Bitcoin fell 4% overnight.", "price_move"),
        ("The company appointed a new chief financial officer.", "personnel"),
    ]
    return write_csv(tmp_path / "held.csv", rows, header=("text", "label"))


@pytest.fixture
def four_path(tmp_path, four_model):
    model, card, _ = four_model
    return stanceclf.save_model(model, tmp_path / "four.joblib", card=card)


def test_compare_shows_both_models_and_their_disagreements(capsys, four_path, held_out):
    status, out, err = run(capsys, "compare", "--model", four_path, "--model", "default", "--data", held_out)
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == "n=4 labelled sentences"
    assert str(four_path) in lines[1] and "default" in lines[1]
    assert lines[2].startswith("macro-F1")
    assert "default cannot predict: enforcement, personnel, price_move, subsidy" in out
    # The shipped model knows none of these labels, so it disagrees everywhere.
    assert "the models disagree on 4 of 4 sentences:" in out
    assert f"{held_out}:2  gold=enforcement" in out


def test_compare_json(capsys, four_path, held_out):
    status, out, _ = run(capsys, "compare", "--model", four_path, "--model", "default", "--data", held_out, "--format", "json")
    assert status == 0
    result = json.loads(out)
    assert result["n"] == 4
    assert set(result["reports"]) == {str(four_path), "default"}
    assert result["reports"]["default"]["macro_f1"] == 0.0
    assert result["reports"]["default"]["unknown_labels"] == FOUR_LABELS
    assert len(result["disagreements"]) == 4
    row = result["disagreements"][0]
    assert set(row) == {"text", "label", "source", "predictions"}
    assert set(row["predictions"]) == {str(four_path), "default"}


def test_compare_of_identical_models_has_no_disagreement(four_model, held_out):
    model, _, _ = four_model
    result = stanceclf.compare_models({"a": model, "b": model}, read_labels(held_out))
    assert result["disagreements"] == []
    assert result["reports"]["a"] == result["reports"]["b"]


def test_evaluate_model_counts_labels_the_model_cannot_predict(shipped_model, held_out):
    report = stanceclf.evaluate_model(shipped_model, read_labels(held_out))
    assert report["macro_f1"] == 0.0
    assert report["unknown_labels"] == FOUR_LABELS


def test_compare_reports_problems_of_the_labelled_file(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\n,x\n", encoding="utf-8")
    status, out, err = run(capsys, "compare", "--model", "default", "--model", "seeds-only", "--data", bad)
    assert status == 2 and out == ""
    assert f"{bad}:2: missing or empty 'text'" in err


def test_problems_are_listed_with_every_file(tmp_path, four_csv):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x"}\n', encoding="utf-8")
    with pytest.raises(LabelProblems) as error:
        load_training_data([four_csv, bad], n_folds=3)
    assert [str(p) for p in error.value.problems] == [f"{bad}:1: missing label"]
    assert isinstance(error.value, ValueError)


def test_one_document_cannot_be_cross_validated_by_document(tmp_path):
    path = write_csv(tmp_path / "one.csv", [(t, lab, "same") for t, lab, _ in FOUR])
    with pytest.raises(LabelProblems) as error:
        load_training_data([path], n_folds=3)
    assert [str(p) for p in error.value.problems] == [
        f"{path}: every record has the same 'doc' ('same'); grouped cross-validation needs at least 2 documents"
    ]
    assert len(load_training_data([path], n_folds=None).labelled.records) == 24  # fine without cross-validation
