"""samship's local AWS: moto_server with what the tests need and moto lacks.

Started by internal/testenv (StartMoto) as `python3 -m localaws -H 127.0.0.1 -p PORT`, from
a copy of this package it embeds. Everything here patches moto in this process only;
nothing reaches the network.

Each patch corrects moto where it differs from AWS, so that samship is tested against AWS's
behaviour rather than bent to moto's. By service, each module saying which moto defect each
of its fixes works around:

- sam.py: the AWS::Serverless-2016-10-31 transform, which moto lacks (it treats
  AWS::Serverless::* as unknown, no-op resources), run offline with aws-sam-translator;
- language_extensions.py: the AWS::LanguageExtensions transform (Fn::ForEach and friends),
  run before the SAM transform as on AWS;
- cloudformation.py: stacks, change sets and updates: the transforms wired into CreateStack,
  UpdateStack and CreateChangeSet, short-form YAML intrinsics, change sets of a stack in
  REVIEW_IN_PROGRESS, ListChangeSets, GetTemplate of a change set, outputs after
  ExecuteChangeSet, dependency order and forgotten resources in updates, DeletionPolicy
  Retain on update, placeholders for types moto does not model;
- events.py: each resource's stack events and the request token on every event;
- apigateway.py: AWS::ApiGateway::RestApi from Body;
- lambda_.py: image properties of AWS::Lambda::Function, AWS::Lambda::Url,
  AWS::Lambda::Version and AWS::Lambda::Alias, image digests in CodeSha256 and
  ResolvedImageUri, RevisionId and PublishVersion's preconditions, CreateAlias's conflict,
  and (with SAMSHIP_LAMBDA_UPDATE_SECONDS) an update's time InProgress;
- ecr.py: image sizes, and AWS::ECR::Repository's casing, lifecycle policy and replacement.

Every patch goes through patching.py, which fails start-up naming the target when this moto
lacks it; versions.py fails start-up when moto or aws-sam-translator is not the release the
fixes are written against. Each fix has a test of its own in tests/, run by
`go test ./internal/testenv/...`.
"""

from .errors import EmulatorMismatch, TransformError

__all__ = ["EmulatorMismatch", "TransformError", "install"]

_installed = False


def install():
    """Checks the versions, then patches moto (once per process). Raises EmulatorMismatch,
    whose message is one line, when this moto is not the one the fixes are written for."""
    global _installed
    if _installed:
        return
    from . import versions

    versions.check()
    # Importing a module applies its patches.
    from . import cloudformation, events, apigateway, lambda_, ecr  # noqa: F401

    _installed = True
