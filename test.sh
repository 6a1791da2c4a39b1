#!/usr/bin/env bash
# Runs every test. Starts Azurite (in memory, on its own ports) unless one already answers there, and stops
# what it started. Needs the .NET 10 SDK and Node.js 20 with npm.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/azurite.sh

BLOB_PORT=${AZURITE_TEST_BLOB_PORT:-10100}
QUEUE_PORT=${AZURITE_TEST_QUEUE_PORT:-10101}
TABLE_PORT=${AZURITE_TEST_TABLE_PORT:-10102}
azurite_start "$BLOB_PORT" "$QUEUE_PORT" "$TABLE_PORT" --inMemoryPersistence
trap azurite_stop EXIT

export DEADLINEALERTS_TEST_STORAGE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:${BLOB_PORT}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:${QUEUE_PORT}/devstoreaccount1;TableEndpoint=http://127.0.0.1:${TABLE_PORT}/devstoreaccount1;"

dotnet test DeadlineAlerts.sln --nologo -v quiet "$@"
