import unicodedata

import pytest

from dti_cli.model import provinces
from dti_cli.errors import UsageError

REG = provinces.registry()


@pytest.mark.parametrize("text", ["quang-ninh", "Quảng Ninh", "quang ninh", "QUẢNG NINH", "Quang Ninh", "22",
                                  unicodedata.normalize("NFD", "Quảng Ninh"), "  quảng   ninh "])
def test_quang_ninh_spellings(text):
    assert REG.resolve(text) == "quang-ninh"


@pytest.mark.parametrize("text,slug", [("TPHCM", "ho-chi-minh"), ("HCM", "ho-chi-minh"), ("Huế", "thua-thien-hue"),
                                       ("Thanh Hoá", "thanh-hoa"), ("Thanh Hóa", "thanh-hoa"), ("1", "ha-noi"),
                                       ("01", "ha-noi"), ("BR-VT", "ba-ria-vung-tau"), ("Đắc Lắc", "dak-lak"),
                                       ("Tỉnh Bắc Ninh", "bac-ninh"), ("Thành phố Cần Thơ", "can-tho")])
def test_aliases_and_codes(text, slug):
    assert REG.resolve(text) == slug


def test_unknown_suggests():
    with pytest.raises(UsageError, match=r"unknown province 'quang-nin'; did you mean quang-ninh\?"):
        REG.resolve("quang-nin")


def test_registry_sizes_and_merge():
    assert len(REG.p63) == 63 and len(REG.p34) == 34
    assert len({p.slug for p in REG.p63}) == 63
    assert set(REG.merge) == {p.slug for p in REG.p63}
    assert set(REG.merge.values()) == {p.slug for p in REG.p34}
    assert {p.region for p in REG.p63} == set(provinces.REGIONS)


def test_2025_boundaries_resolve_old_names_to_new_units():
    assert REG.resolve("Hải Dương", 2025) == "hai-phong"
    assert REG.resolve("Huế", 2025) == "hue"


def test_completion_lists_slugs():
    assert REG.complete("quang") == ["quang-binh", "quang-nam", "quang-ngai", "quang-ninh", "quang-tri"]


def test_region_names():
    assert provinces.resolve_region("mekong") == "Đồng bằng sông Cửu Long"
    assert provinces.resolve_region("Tây Nguyên") == "Tây Nguyên"
    with pytest.raises(UsageError):
        provinces.resolve_region("atlantis")


def test_cli_unknown_province_exit_2(run):
    res = run("compare", "quang-nin")
    assert res.code == 2
    assert res.err.strip() == "Error: unknown province 'quang-nin'; did you mean quang-ninh?"
    assert res.out == ""
