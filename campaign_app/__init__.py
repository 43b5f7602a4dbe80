"""Jangkau: social-security outreach campaigns in hard-to-reach villages."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from campaign_app import assets, compression, errors, formatting, i18n, observability, render_once, security_headers
from campaign_app.config import load_config
from campaign_app.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate
from campaign_app.ids import IdConverter
from campaign_app.sessions import SessionInterface

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory: extensions, blueprints, CLI, error pages."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(load_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    # First, so that its request line is the last thing to see each response (and sees the status sent).
    observability.init_app(app)
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    app.session_interface = SessionInterface()
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.add_extension(render_once.SameFor)

    # Importing the models and the summaries registers their tables with the metadata (Alembic compares them).
    from campaign_app import models, summaries  # noqa: F401
    from campaign_app.database import init_app as init_database

    db.init_app(app)
    init_database(app)
    summaries.init_app(app)
    from campaign_app.signups import key_check

    key_check.init_app(app)
    # Every write of a request audited from the flush, after the summaries' own listeners.
    from campaign_app.audit import tracking as audit_tracking

    audit_tracking.init_app()
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    # Before the CSRF check, which reads the form: the payment status file may be larger than other uploads.
    from campaign_app import upload_limits

    upload_limits.init_app(app)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    limiter.init_app(app)
    htmx.init_app(app)
    compression.init_app(app)
    from campaign_app.auth.session import init_app as init_login

    init_login(app, login_manager)

    assets.init_app(app)
    formatting.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    security_headers.init_app(app)

    # Every record id in a URL (``<id:visit_id>``): whole, positive, within the 32-bit limit, or no match (404).
    app.url_map.converters["id"] = IdConverter

    from campaign_app.audit import bp as audit_bp
    from campaign_app.auth import bp as auth_bp
    from campaign_app.branches import bp as branches_bp
    from campaign_app.campaigns import bp as campaigns_bp
    from campaign_app.fieldwork import bp as fieldwork_bp
    from campaign_app.health import bp as health_bp
    from campaign_app.home import bp as home_bp
    from campaign_app.officers import bp as officers_bp
    from campaign_app.offline import bp as offline_bp
    from campaign_app.privacy import bp as privacy_bp
    from campaign_app.rates import bp as rates_bp
    from campaign_app.reports import bp as reports_bp
    from campaign_app.signups import bp as signups_bp
    from campaign_app.subsidies import bp as subsidies_bp
    from campaign_app.sync import bp as sync_bp
    from campaign_app.users import bp as users_bp
    from campaign_app.villages import bp as villages_bp
    from campaign_app.visits import bp as visits_bp

    for blueprint in (auth_bp, home_bp, campaigns_bp, villages_bp, visits_bp, fieldwork_bp, signups_bp, officers_bp,
                      users_bp, branches_bp, rates_bp, subsidies_bp, audit_bp, privacy_bp, reports_bp, health_bp,
                      offline_bp, sync_bp):
        app.register_blueprint(blueprint)

    from campaign_app.cli import register_commands

    register_commands(app)
    return app
