# SPDX-License-Identifier: GPL-3.0-or-later
"""lrekmc.Config: the CLI's keys, ranges and messages."""

import pytest

import lrekmc
from conftest import TINY, run_cli

BAD = """\
model:
  Tt: 1.0
  N: -5
grid: {q_max: 1.5, spacing: cubic}
"""


def test_load_file_text_dict_agree(tiny_file):
    from_file = lrekmc.Config.load(tiny_file)
    from_path_str = lrekmc.Config.load(str(tiny_file))
    from_text = lrekmc.Config.load(TINY)
    import yaml
    from_dict = lrekmc.Config.load(yaml.safe_load(TINY))
    assert from_file == from_path_str == from_text == from_dict
    assert from_file.source == str(tiny_file) and from_text.source == "<string>"
    assert from_dict.source == "<dict>"


def test_yaml_is_what_check_prints(tiny_file):
    config = lrekmc.Config.load(tiny_file)
    assert config.yaml == run_cli("check", tiny_file).stdout
    assert str(config) == config.yaml
    assert lrekmc.Config.load(config.yaml) == config


def test_values_and_defaults():
    config = lrekmc.Config.load()
    assert config["model.N"] == 1000 and config["kmc.trajectories"] == 10000
    assert config["grid.t_max"] == "auto"
    with pytest.raises(KeyError):
        config["model.nope"]
    assert config.to_dict()["fit"]["protocol"] == "qlevels"
    assert config.point_count == 1 and config.index == 0


def test_overrides_dotted_and_nested(tiny_file):
    dotted = lrekmc.Config.load(tiny_file, **{"model.N": 80, "kmc.seed": 3})
    nested = lrekmc.Config.load(tiny_file, model={"N": 80}, kmc={"seed": 3})
    assert dotted == nested
    assert dotted["model.N"] == 80 and dotted["kmc.seed"] == 3
    assert dotted != lrekmc.Config.load(tiny_file)
    assert dotted.with_(**{"model.N": 60, "kmc.seed": 11}) == lrekmc.Config.load(tiny_file)
    # dotted keys inside a dict source, and Python values of every kind
    config = lrekmc.Config.load({"model.T": 0.25, "model": {"mode": "cer"},
                                 "output": {"trajectories": True, "dir": "a b/c"}})
    assert config["model.T"] == 0.25 and config["model.mode"] == "cer"
    assert config["output.trajectories"] is True and config["output.dir"] == "a b/c"


def test_errors_are_the_cli_messages(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    cli = run_cli("check", bad, "--set", "kmc.seed=-1", "--set", "model.V1=x", check=False)
    assert cli.returncode == 2
    with pytest.raises(lrekmc.ConfigError) as caught:
        lrekmc.Config.load(bad, **{"kmc.seed": -1, "model.V1": "x"})
    assert caught.value.messages == cli.stderr.splitlines()
    assert len(caught.value.messages) >= 5  # every problem, not only the first
    assert str(caught.value) == cli.stderr.rstrip("\n")
    assert isinstance(caught.value, ValueError)
    assert caught.value.messages[0].startswith(f"{bad}:2:3: unknown key 'model.Tt'")


def test_error_positions_of_text_and_dict():
    with pytest.raises(lrekmc.ConfigError) as caught:
        lrekmc.Config.load("model:\n  N: 0\n")
    assert caught.value.messages == [
        "<string>:2:6: model.N: expected an integer in [1, 1000000000], got '0' (out of range)"]
    assert caught.value.source == "model:\n  N: 0\n"
    with pytest.raises(lrekmc.ConfigError) as caught:
        lrekmc.Config.load({"model": {"N": 0}})
    assert caught.value.messages[0].startswith("<dict>:2:6: model.N: expected an integer")
    assert "N: 0" in caught.value.source
    with pytest.raises(lrekmc.ConfigError, match="no-such.yaml"):
        lrekmc.Config.load("no-such.yaml")
    with pytest.raises(lrekmc.ConfigError, match="the sweep cannot be set"):
        lrekmc.Config.load(None, **{"sweep.model.T": 1})
    with pytest.raises(TypeError):
        lrekmc.Config.load(42)


def test_sweep_points(tiny_file):
    config = lrekmc.Config.load(tiny_file)
    assert config.point_count == 4
    points = config.points()
    assert [p.index for p in points] == [0, 1, 2, 3]
    # the last axis varies fastest
    assert [(p["model.mode"], p["model.T"]) for p in points] == [
        ("ser", 0.5), ("ser", 1.0), ("cer", 0.5), ("cer", 1.0)]
    assert points[0].point_count == 1
    assert points[3].with_(**{"model.N": 70})["model.N"] == 70
    assert points[3].with_(**{"model.N": 70}).index == 3
    with pytest.raises(IndexError):
        config.point(4)
    assert config.events == 4 * 60 * 300


def test_key_reference():
    keys = dict(lrekmc.key_reference())
    assert "model.T" in keys and "(0" in keys["grid.q_max"]
    assert len(keys) == len([line for line in run_cli("check", "--help").stdout.splitlines()
                             if line.startswith("  ") and line.split()[0] in keys])


def test_every_public_name_has_a_docstring():
    import inspect
    import lrekmc.plot
    missing = []
    for module in (lrekmc, lrekmc.plot):
        names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
        for name in names:
            value = getattr(module, name)
            if not (inspect.isfunction(value) or inspect.isclass(value)) or \
                    getattr(value, "__module__", "").split(".")[0] != "lrekmc":
                continue
            if not (value.__doc__ or "").strip():
                missing.append(f"{module.__name__}.{name}")
            if inspect.isclass(value):
                for attr, member in vars(value).items():
                    if not attr.startswith("_") and callable(member) and not (member.__doc__ or "").strip():
                        missing.append(f"{module.__name__}.{name}.{attr}")
    assert missing == []
