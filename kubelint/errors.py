"""Errors that stop a run (bad usage or configuration). Bad input is a diagnostic, never these."""


class KubelintError(Exception):
    """Base of kubelint's own errors; the CLI prints them and exits with code 2."""


class UsageError(KubelintError):
    pass


class ConfigError(KubelintError):
    pass
