package fake

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fakehog/fakehog/fake/store"
	"github.com/tidwall/gjson"
)

// s3Destination is a valid S3 destination with credentials (secrets).
func s3Destination() map[string]any {
	return map[string]any{"type": "S3", "config": map[string]any{"bucket_name": "my-bucket", "region": "us-east-1", "prefix": "events/",
		"aws_access_key_id": "AKIAFAKE", "aws_secret_access_key": "s3cr3t", "compression": "gzip", "file_format": "JSONLines"}}
}

func s3Export(name string) map[string]any {
	return map[string]any{"name": name, "destination": s3Destination(), "interval": "hour"}
}

// createExport creates an export over the API as the default owner and returns its id.
func createExport(t *testing.T, e *env, body map[string]any) string {
	t.Helper()
	return e.do("POST", e.orgPath("batch_exports/"), body).wantStatus(t, 201).get("id").String()
}

func exportPath(e *env, id, rest string) string { return e.orgPath("batch_exports/" + id + "/" + rest) }

func TestBatchExportCreate(t *testing.T) {
	e := newEnv(t)
	r := e.do("POST", e.orgPath("batch_exports/"), s3Export("  Nightly S3  ")).wantStatus(t, 201)
	id := r.get("id").String()
	if !store.IsUUID(id) || r.get("team_id").Int() != int64(e.d.ProjectID) || r.get("name").String() != "Nightly S3" ||
		r.get("model").String() != "events" || r.get("interval").String() != "hour" || r.get("paused").Bool() ||
		r.get("created_at").String() != "2026-01-15T10:00:00Z" || r.get("last_updated_at").String() != "2026-01-15T10:00:00Z" ||
		r.get("last_paused_at").Type.String() != "Null" || r.get("start_at").Type.String() != "Null" || r.get("end_at").Type.String() != "Null" ||
		r.get("latest_runs").Raw != "[]" || r.get("schema").Type.String() != "Null" || r.get("filters").Type.String() != "Null" ||
		r.get("timezone").String() != "UTC" || r.get("offset_day").Type.String() != "Null" || r.get("offset_hour").Type.String() != "Null" ||
		r.get("destination.type").String() != "S3" || r.get("destination.integration").Type.String() != "Null" {
		t.Fatalf("created = %s", r.Body)
	}
	// hogql_query and integration_id are write-only.
	if r.get("hogql_query").Exists() || r.get("destination.integration_id").Exists() {
		t.Fatalf("write-only fields answered: %s", r.Body)
	}
	wantConfig := `{"bucket_name":"my-bucket","compression":"gzip","file_format":"JSONLines","prefix":"events/","region":"us-east-1"}`
	if got := r.get("destination.config").Raw; got != wantConfig {
		t.Fatalf("config = %s, want %s (secrets stripped)", got, wantConfig)
	}
	// Secrets are never answered, by any route, but are kept.
	for _, got := range []*resp{
		e.do("GET", exportPath(e, id, ""), nil).wantStatus(t, 200),
		e.do("GET", e.orgPath("batch_exports/"), nil).wantStatus(t, 200),
	} {
		if strings.Contains(string(got.Body), "s3cr3t") || strings.Contains(string(got.Body), "AKIAFAKE") {
			t.Fatalf("a secret was answered: %s", got.Body)
		}
	}
	withWriteTx(e, func(tx *store.Tx) error {
		x := tx.BatchExport(e.d.OrganizationID, id)
		if x.Destination.Config["aws_secret_access_key"] != "s3cr3t" || x.CreatedBy == 0 {
			t.Errorf("stored = %+v", x)
		}
		acts := tx.Activity(e.d.OrganizationID, func(a *store.ActivityEntry) bool { return a.Scope == "BatchExport" })
		if len(acts) != 1 || acts[0].Activity != "created" || acts[0].ItemID != id || acts[0].Name != "Nightly S3" {
			t.Errorf("activity = %+v", acts)
		}
		return nil
	})
	// Creating an export writes no log entry: PostHog's logs endpoint reads only the log
	// table, which the workflows write, not the API.
	logs := e.do("GET", exportPath(e, id, "logs/"), nil, asSession(e.d.Session)).wantStatus(t, 200)
	if logs.get("count").Int() != 0 || len(logs.get("results").Array()) != 0 {
		t.Fatalf("logs = %s", logs.Body)
	}
	// Both URL spellings, and @current.
	e.do("GET", "/api/organizations/@current/batch_exports/"+id, nil).wantStatus(t, 200)
	e.do("GET", "/api/organizations/@current/batch_exports/"+strings.ReplaceAll(strings.ToUpper(id), "-", "")+"/", nil).wantStatus(t, 200)
}

func TestBatchExportCreateChoices(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name  string
		body  map[string]any
		check func(t *testing.T, r *resp)
	}{
		{"weekly with offsets and time zone", map[string]any{"name": "w", "destination": s3Destination(), "interval": "week",
			"offset_day": 3, "offset_hour": "7", "timezone": "Europe/Paris", "model": "persons"}, func(t *testing.T, r *resp) {
			if r.get("offset_day").Int() != 3 || r.get("offset_hour").Int() != 7 || r.get("timezone").String() != "Europe/Paris" || r.get("model").String() != "persons" {
				t.Fatalf("weekly = %s", r.Body)
			}
		}},
		{"weekly defaults to Sunday midnight", map[string]any{"name": "w", "destination": s3Destination(), "interval": "week"}, func(t *testing.T, r *resp) {
			if r.get("offset_day").Raw != "0" || r.get("offset_hour").Raw != "0" {
				t.Fatalf("weekly = %s", r.Body)
			}
		}},
		{"daily", map[string]any{"name": "d", "destination": s3Destination(), "interval": "day", "offset_hour": 5, "timezone": nil}, func(t *testing.T, r *resp) {
			if r.get("offset_day").Type.String() != "Null" || r.get("offset_hour").Int() != 5 || r.get("timezone").String() != "UTC" {
				t.Fatalf("daily = %s", r.Body)
			}
		}},
		{"sub-hourly with the feature, null and blank model", map[string]any{"name": "f", "destination": s3Destination(), "interval": "every 5 minutes", "model": nil}, func(t *testing.T, r *resp) {
			if r.get("interval").String() != "every 5 minutes" || r.get("model").Type.String() != "Null" {
				t.Fatalf("five minutes = %s", r.Body)
			}
		}},
		{"postgres converts config values", map[string]any{"name": "pg", "interval": "hour", "destination": map[string]any{"type": "Postgres",
			"config": map[string]any{"user": "u", "password": "p", "host": "db.example.com", "database": "d", "port": "5433", "has_self_signed_cert": "true", "exclude_events": []any{"$pageview"}}}}, func(t *testing.T, r *resp) {
			if got := r.get("destination.config").Raw; got != `{"database":"d","exclude_events":["$pageview"],"has_self_signed_cert":true,"host":"db.example.com","port":5433}` {
				t.Fatalf("postgres config = %s", got)
			}
		}},
		{"paused, dates and filters", map[string]any{"name": "p", "destination": s3Destination(), "interval": "hour", "paused": "true",
			"start_at": "2026-01-01T00:00:00+01:00", "end_at": nil, "last_paused_at": "2026-01-02T03:04:05.5Z", "filters": []any{map[string]any{"key": "$browser"}}}, func(t *testing.T, r *resp) {
			if !r.get("paused").Bool() || r.get("start_at").String() != "2025-12-31T23:00:00Z" || r.get("end_at").Type.String() != "Null" ||
				r.get("last_paused_at").String() != "2026-01-02T03:04:05.500000Z" || r.get("filters.0.key").String() != "$browser" {
				t.Fatalf("dates = %s", r.Body)
			}
		}},
		{"hogql query becomes the schema", map[string]any{"name": "q", "destination": s3Destination(), "interval": "hour",
			"hogql_query": "SELECT event, properties.$browser AS browser, toString(uuid) FROM events"}, func(t *testing.T, r *resp) {
			if r.get("schema.fields.#").Int() != 3 || r.get("schema.fields.1.alias").String() != "browser" ||
				r.get("schema.fields.1.expression").String() != "properties.$browser" || r.get("schema.fields.2.alias").String() != "toString(uuid)" ||
				r.get("hogql_query").Exists() {
				t.Fatalf("schema = %s", r.Body)
			}
		}},
		{"snowflake, bigquery, http and noop", map[string]any{"name": "s", "interval": "hour", "destination": map[string]any{"type": "Snowflake",
			"config": map[string]any{"account": "a", "user": "u", "database": "d", "warehouse": "w", "schema": "s", "authentication_type": "password", "password": "pw"}}}, func(t *testing.T, r *resp) {
			if got := r.get("destination.config").Raw; got != `{"account":"a","authentication_type":"password","database":"d","schema":"s","warehouse":"w"}` {
				t.Fatalf("snowflake config = %s", got)
			}
		}},
		{"bigquery", map[string]any{"name": "b", "interval": "day", "destination": map[string]any{"type": "BigQuery",
			"config": map[string]any{"project_id": "p", "dataset_id": "d", "private_key": "k", "private_key_id": "i", "token_uri": "t", "client_email": "c@x", "use_json_type": true}}}, func(t *testing.T, r *resp) {
			if got := r.get("destination.config").Raw; got != `{"dataset_id":"d","project_id":"p","use_json_type":true}` {
				t.Fatalf("bigquery config = %s", got)
			}
		}},
		{"http", map[string]any{"name": "h", "interval": "hour", "model": "events", "destination": map[string]any{"type": "HTTP",
			"config": map[string]any{"url": "https://eu.i.posthog.com/batch/", "token": "phc_secret"}}}, func(t *testing.T, r *resp) {
			if got := r.get("destination.config").Raw; got != `{"url":"https://eu.i.posthog.com/batch/"}` {
				t.Fatalf("http config = %s", got)
			}
		}},
		{"noop without config", map[string]any{"name": "n", "interval": "hour", "destination": map[string]any{"type": "NoOp"}}, func(t *testing.T, r *resp) {
			if r.get("destination.config").Raw != "{}" {
				t.Fatalf("noop = %s", r.Body)
			}
		}},
		{"redshift copy with nested secrets", map[string]any{"name": "r", "interval": "hour", "destination": map[string]any{"type": "Redshift",
			"config": map[string]any{"user": "u", "password": "p", "host": "h", "database": "d", "mode": "COPY", "copy_inputs": map[string]any{
				"s3_bucket": "b", "region_name": "r", "s3_key_prefix": "/", "authorization": "arn:aws:iam::1:role/x",
				"bucket_credentials": map[string]any{"aws_access_key_id": "AK", "aws_secret_access_key": "SK"}}}}}, func(t *testing.T, r *resp) {
			if got := r.get("destination.config.copy_inputs.bucket_credentials").Raw; got != "{}" || r.get("destination.config.user").Exists() {
				t.Fatalf("redshift config = %s", r.get("destination.config").Raw)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.check(t, e.do("POST", e.orgPath("batch_exports/"), c.body).wantStatus(t, 201))
		})
	}
}

func TestBatchExportCreateValidation(t *testing.T) {
	e := newEnv(t)
	with := func(changes map[string]any) map[string]any {
		b := s3Export("x")
		for k, v := range changes {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	withNull := func(field string) map[string]any { b := s3Export("x"); b[field] = nil; return b }
	dest := func(typ string, config map[string]any) map[string]any {
		return with(map[string]any{"destination": map[string]any{"type": typ, "config": config}})
	}
	s3cfg := func(changes map[string]any) map[string]any {
		cfg := map[string]any{"bucket_name": "b", "region": "r", "prefix": "p"}
		for k, v := range changes {
			cfg[k] = v
		}
		return dest("S3", cfg)
	}
	pg := map[string]any{"user": "u", "password": "p", "host": "h", "database": "d"}
	pgWith := func(k string, v any) map[string]any {
		c := map[string]any{}
		for kk, vv := range pg {
			c[kk] = vv
		}
		c[k] = v
		return dest("Postgres", c)
	}
	sf := func(changes map[string]any) map[string]any {
		c := map[string]any{"account": "a", "user": "u", "database": "d", "warehouse": "w", "schema": "s"}
		for k, v := range changes {
			c[k] = v
		}
		return dest("Snowflake", c)
	}
	rs := func(copyInputs any) map[string]any {
		c := map[string]any{"user": "u", "password": "p", "host": "h", "database": "d", "mode": "COPY"}
		if copyInputs != nil {
			c["copy_inputs"] = copyInputs
		}
		return dest("Redshift", c)
	}
	creds := map[string]any{"aws_access_key_id": "a", "aws_secret_access_key": "b"}
	const nf = "destination__non_field_errors"
	cases := []fieldCase{
		{"not an object", "[]", "invalid_input", "Invalid data. Expected a dictionary, but got list.", ""},
		{"missing name", with(map[string]any{"name": nil}), "required", store.MsgRequired, "name"},
		{"blank name", with(map[string]any{"name": "  "}), "blank", store.MsgBlank, "name"},
		{"null name", withNull("name"), "null", store.MsgNull, "name"},
		{"name error comes before destination's", with(map[string]any{"name": nil, "destination": "s3"}), "required", store.MsgRequired, "name"},
		{"bad model", with(map[string]any{"model": "people"}), "invalid_choice", `"people" is not a valid choice.`, "model"},
		{"missing destination", with(map[string]any{"destination": nil}), "required", store.MsgRequired, "destination"},
		{"null destination", withNull("destination"), "null", store.MsgNull, "destination"},
		{"destination not an object", with(map[string]any{"destination": "S3"}), "invalid_input", "Invalid data. Expected a dictionary, but got str.", nf},
		{"missing type", with(map[string]any{"destination": map[string]any{"config": map[string]any{}}}), "required", store.MsgRequired, "destination__type"},
		{"bad type", dest("Kafka", map[string]any{}), "invalid_choice", `"Kafka" is not a valid choice.`, "destination__type"},
		{"config not an object", dest("S3", nil), "null", store.MsgNull, "destination__config"},
		{"config a list", with(map[string]any{"destination": map[string]any{"type": "S3", "config": []any{}}}), "not_a_dict", `Expected a dictionary of items but got type "list".`, "destination__config"},
		{"integration that does not exist", with(map[string]any{"destination": map[string]any{"type": "S3", "config": map[string]any{}, "integration_id": 5}}),
			"does_not_exist", `Invalid pk "5" - object does not exist.`, "destination__integration_id"},
		{"integration of the wrong type", with(map[string]any{"destination": map[string]any{"type": "S3", "config": map[string]any{}, "integration": "abc"}}),
			"incorrect_type", "Incorrect type. Expected pk value, received str.", "destination__integration"},
		{"unknown config fields", s3cfg(map[string]any{"extra": 1, "bogus": 2}), "invalid_input", "Configuration has unknown field/s: 'bogus', 'extra'", nf},
		{"missing config field", dest("S3", map[string]any{"region": "r", "prefix": "p"}), "invalid_input", "Configuration missing required field: 'bucket_name'", nf},
		{"empty config", dest("Postgres", map[string]any{}), "invalid_input", "Configuration missing required field: 'user'", nf},
		{"int for a string", s3cfg(map[string]any{"bucket_name": 5}), "invalid_input", "Configuration has invalid type: got 'int', expected 'str'", nf},
		{"null for a string", s3cfg(map[string]any{"region": nil}), "invalid_input", "Configuration has invalid type: got 'NoneType', expected 'str'", nf},
		{"text for an int", pgWith("port", "five"), "invalid_input", "Configuration has invalid type: got 'str', expected 'int'", nf},
		{"float for an int", pgWith("port", 5432.5), "invalid_input", "Configuration has invalid type: got 'float', expected 'int'", nf},
		{"int for a bool", pgWith("has_self_signed_cert", 1), "invalid_input", "Configuration has invalid type: got 'int', expected 'bool'", nf},
		{"s3 empty inputs", s3cfg(map[string]any{"bucket_name": " ", "prefix": ""}), "invalid_input", "The following inputs are empty: ['bucket_name', 'prefix']", "destination"},
		{"s3 file format", s3cfg(map[string]any{"file_format": "CSV"}), "invalid_input", "File format CSV is not supported. Supported file formats are ['Parquet', 'JSONLines']", "destination"},
		{"s3 compression", s3cfg(map[string]any{"compression": "lz4"}), "invalid_input", "Compression lz4 is not supported for file format JSONLines. Supported compressions are ['gzip', 'brotli']", "destination"},
		{"snowflake password", sf(map[string]any{"authentication_type": "password"}), "invalid_input", "Password is required if authentication type is password", "destination"},
		{"snowflake key pair", sf(map[string]any{"authentication_type": "keypair", "password": "x"}), "invalid_input", "Private key is required if authentication type is key pair", "destination"},
		{"http url", dest("HTTP", map[string]any{"url": "https://example.com/", "token": "t"}), "invalid_input", "Invalid destination URL: https://example.com/", "destination"},
		{"http model", func() map[string]any {
			b := dest("HTTP", map[string]any{"url": "https://us.i.posthog.com/batch/", "token": "t"})
			b["model"] = "persons"
			return b
		}(), "invalid_input", "HTTP batch exports only support the events model", ""},
		{"databricks needs an integration", dest("Databricks", map[string]any{"http_path": "h", "catalog": "c", "schema": "s", "table_name": "t"}),
			"invalid_input", "Integration is required for Databricks batch exports", "destination"},
		{"azure needs an integration", dest("AzureBlob", map[string]any{"container_name": "c"}), "invalid_input", "Integration is required for Azure Blob batch exports", "destination"},
		{"redshift copy without inputs", rs(nil), "invalid_input", "Missing required inputs for 'COPY'", "destination"},
		{"redshift copy missing input", rs(map[string]any{"s3_bucket": "b"}), "invalid_input", "Missing required input for 'COPY'", "destination"},
		{"redshift copy bucket credentials", rs(map[string]any{"s3_bucket": "b", "region_name": "r", "authorization": "arn", "bucket_credentials": map[string]any{}}),
			"invalid_input", "Missing required bucket credentials for 'COPY'", "destination"},
		{"redshift copy credentials", rs(map[string]any{"s3_bucket": "b", "region_name": "r", "authorization": map[string]any{"aws_access_key_id": "a"}, "bucket_credentials": creds}),
			"invalid_input", "Missing required credentials for 'COPY'", "destination"},
		{"redshift copy iam role", rs(map[string]any{"s3_bucket": "b", "region_name": "r", "authorization": " ", "bucket_credentials": creds}),
			"invalid_input", "Missing required IAM role for 'COPY'", "destination"},
		{"missing interval", with(map[string]any{"interval": nil}), "required", store.MsgRequired, "interval"},
		{"bad interval", with(map[string]any{"interval": "month"}), "invalid_choice", `"month" is not a valid choice.`, "interval"},
		{"bad paused", with(map[string]any{"paused": "maybe"}), "invalid_input", store.MsgInvalidBool, "paused"},
		{"bad start_at", with(map[string]any{"start_at": "yesterday"}), "invalid_input", store.MsgInvalidDate, "start_at"},
		{"hogql not a select", with(map[string]any{"hogql_query": "DELETE FROM events"}), "invalid_input", "Failed to parse query", "hogql_query"},
		{"hogql unbalanced", with(map[string]any{"hogql_query": "SELECT count( FROM events"}), "invalid_input", "Failed to parse query", "hogql_query"},
		{"hogql no from", with(map[string]any{"hogql_query": "SELECT 1"}), "invalid_input", "Query must SELECT FROM events", "hogql_query"},
		{"hogql other table", with(map[string]any{"hogql_query": "SELECT id FROM persons"}), "invalid_input", "Query must only SELECT FROM events", "hogql_query"},
		{"hogql union", with(map[string]any{"hogql_query": "SELECT event FROM events UNION ALL SELECT event FROM events"}), "invalid_input", "UNIONs are not supported", "hogql_query"},
		{"hogql join", with(map[string]any{"hogql_query": "SELECT event FROM events e JOIN persons p ON e.person_id = p.id"}), "invalid_input", "JOINs are not supported", "hogql_query"},
		{"hogql subquery", with(map[string]any{"hogql_query": "SELECT event FROM (SELECT event FROM events)"}), "invalid_input", "Subqueries are not supported", "hogql_query"},
		{"hogql cte", with(map[string]any{"hogql_query": "WITH x AS (SELECT 1) SELECT event FROM events"}), "invalid_input", "CTEs are not supported", "hogql_query"},
		{"hogql null", withNull("hogql_query"), "null", store.MsgNull, "hogql_query"},
		{"bad time zone", with(map[string]any{"timezone": "Mars/Olympus"}), "invalid_choice", `"Mars/Olympus" is not a valid choice.`, "timezone"},
		{"offset_day for hourly", with(map[string]any{"offset_day": 1}), "invalid_input", store.MsgOffsetDayNotWeekly, "offset_day"},
		{"offset_day for daily", with(map[string]any{"interval": "day", "offset_day": 1}), "invalid_input", store.MsgOffsetDayNotWeekly, "offset_day"},
		{"offset_hour for hourly", with(map[string]any{"offset_hour": 1}), "invalid_input", store.MsgOffsetHourNotDaily, "offset_hour"},
		{"offset_day too big", with(map[string]any{"interval": "week", "offset_day": 7}), "max_value", "Ensure this value is less than or equal to 6.", "offset_day"},
		{"offset_hour negative", with(map[string]any{"interval": "day", "offset_hour": -1}), "min_value", "Ensure this value is greater than or equal to 0.", "offset_hour"},
		{"offset_hour not a number", with(map[string]any{"interval": "day", "offset_hour": "noon"}), "invalid_input", store.MsgInvalidInt, "offset_hour"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.do("POST", e.orgPath("batch_exports/"), c.body).wantError(t, 400, "validation_error", c.code, c.detail, c.attr)
		})
	}
	// Gated abilities answer 403, even before an earlier field's 400.
	e.do("POST", e.orgPath("batch_exports/"), dest("Workflows", map[string]any{})).wantError(t, 403, "authentication_error", "permission_denied", store.MsgWorkflowsDisabled, "")
	bare := newFeaturelessOrg(t, e)
	fast := s3Export("fast")
	fast["interval"] = "every 15 minutes"
	delete(fast, "name")
	e.do("POST", "/api/organizations/"+bare+"/batch_exports/", fast).wantError(t, 403, "authentication_error", "permission_denied", store.MsgHighFrequencyDisabled, "")
	if n := e.do("GET", e.orgPath("batch_exports/"), nil).get("count").Int(); n != 0 {
		t.Fatalf("failed creates left %d exports", n)
	}
	// A form-encoded body cannot carry a destination object.
	e.do("POST", e.orgPath("batch_exports/"), rawBody{"application/x-www-form-urlencoded", "name=x&interval=hour&destination=S3"}).
		wantError(t, 400, "validation_error", "invalid_input", "Invalid data. Expected a dictionary, but got str.", nf)
}

func TestBatchExportUpdate(t *testing.T) {
	e := newEnv(t)
	id := createExport(t, e, s3Export("orig"))
	item := exportPath(e, id, "")
	e.clock.Advance(time.Minute)
	// PATCH: a partial config merges into the stored one; secrets stay, hidden.
	r := e.do("PATCH", item, map[string]any{"name": "renamed", "destination": map[string]any{"config": map[string]any{"prefix": "new/"}}}).wantStatus(t, 200)
	if r.get("name").String() != "renamed" || r.get("destination.config.prefix").String() != "new/" || r.get("destination.config.bucket_name").String() != "my-bucket" ||
		r.get("destination.config.aws_secret_access_key").Exists() || r.get("last_updated_at").String() != "2026-01-15T10:01:00Z" ||
		r.get("created_at").String() != "2026-01-15T10:00:00Z" {
		t.Fatalf("patched = %s", r.Body)
	}
	withWriteTx(e, func(tx *store.Tx) error {
		if c := tx.BatchExport(e.d.OrganizationID, id).Destination.Config; c["aws_secret_access_key"] != "s3cr3t" || c["prefix"] != "new/" {
			t.Errorf("stored config = %v", c)
		}
		return nil
	})
	// The destination type cannot change.
	e.do("PATCH", item, map[string]any{"destination": map[string]any{"type": "Postgres", "config": map[string]any{}}}).wantError(t, 400, "validation_error", "invalid_input",
		"Cannot change destination type from 'S3' to 'Postgres'. Delete this batch export and create a new one with the new destination type.", "destination")
	// PATCH checks known fields' types but not required ones.
	e.do("PATCH", item, map[string]any{"destination": map[string]any{"type": "S3", "config": map[string]any{"region": 1}}}).wantError(t, 400, "validation_error", "invalid_input",
		"Configuration has invalid type: got 'int', expected 'str'", "destination__non_field_errors")
	// PUT needs the required fields, and a full config.
	e.do("PUT", item, map[string]any{"name": "x"}).wantError(t, 400, "validation_error", "required", store.MsgRequired, "destination")
	e.do("PUT", item, map[string]any{"name": "x", "interval": "hour", "destination": map[string]any{"type": "S3", "config": map[string]any{"prefix": "p"}}}).
		wantError(t, 400, "validation_error", "invalid_input", "Configuration missing required field: 'bucket_name'", "destination__non_field_errors")
	// Weekly with offsets, then offsets alone are read against the stored interval.
	r = e.do("PATCH", item, map[string]any{"interval": "week", "offset_day": 2, "offset_hour": 6, "timezone": "America/New_York"}).wantStatus(t, 200)
	if r.get("offset_day").Int() != 2 || r.get("offset_hour").Int() != 6 {
		t.Fatalf("weekly = %s", r.Body)
	}
	r = e.do("PATCH", item, map[string]any{"offset_hour": 9}).wantStatus(t, 200)
	if r.get("offset_day").Int() != 0 || r.get("offset_hour").Int() != 9 {
		t.Fatalf("offset_hour alone = %s (PostHog resets the day to Sunday)", r.Body)
	}
	e.do("PATCH", item, map[string]any{"interval": "hour", "offset_hour": 9}).wantError(t, 400, "validation_error", "invalid_input", store.MsgOffsetHourNotDaily, "offset_hour")
	r = e.do("PATCH", item, map[string]any{"interval": "day"}).wantStatus(t, 200)
	if r.get("offset_hour").Int() != 9 {
		t.Fatalf("a PATCH of the interval alone keeps the offset: %s", r.Body)
	}
	r = e.do("PATCH", item, map[string]any{"interval": "hour"}).wantStatus(t, 200)
	if r.get("offset_day").Type.String() != "Null" || r.get("offset_hour").Type.String() != "Null" || r.get("timezone").String() != "America/New_York" {
		t.Fatalf("hourly = %s", r.Body)
	}
	// PUT replaces what it names; the config still merges.
	r = e.do("PUT", item, map[string]any{"name": "put", "interval": "day", "destination": map[string]any{"type": "S3",
		"config": map[string]any{"bucket_name": "other", "region": "eu-west-1", "prefix": "p/"}}}).wantStatus(t, 200)
	if r.get("name").String() != "put" || r.get("destination.config.bucket_name").String() != "other" || r.get("destination.config.compression").String() != "gzip" ||
		r.get("offset_hour").Int() != 0 {
		t.Fatalf("put = %s", r.Body)
	}
	withWriteTx(e, func(tx *store.Tx) error {
		if c := tx.BatchExport(e.d.OrganizationID, id).Destination.Config; c["aws_access_key_id"] != "AKIAFAKE" {
			t.Errorf("PUT lost a stored secret: %v", c)
		}
		acts := tx.Activity(e.d.OrganizationID, func(a *store.ActivityEntry) bool { return a.Scope == "BatchExport" && a.Activity == "updated" })
		if len(acts) == 0 || acts[len(acts)-1].Changes[0].Field != "name" {
			t.Errorf("update activity = %+v", acts)
		}
		return nil
	})
	// A failed update changes nothing.
	before := e.do("GET", item, nil).Body
	e.do("PATCH", item, map[string]any{"name": "nope", "interval": "month"}).wantStatus(t, 400)
	if after := e.do("GET", item, nil).Body; string(after) != string(before) {
		t.Fatalf("a failed update changed the export:\n%s\n%s", before, after)
	}
	// Sub-hourly intervals need the feature on update too.
	bare := newFeaturelessOrg(t, e)
	other := createExportIn(t, e, bare, s3Export("bare"))
	e.do("PATCH", "/api/organizations/"+bare+"/batch_exports/"+other+"/", map[string]any{"interval": "every 5 minutes"}).
		wantError(t, 403, "authentication_error", "permission_denied", store.MsgHighFrequencyDisabled, "")
}

func createExportIn(t *testing.T, e *env, orgID string, body map[string]any) string {
	t.Helper()
	return e.do("POST", "/api/organizations/"+orgID+"/batch_exports/", body).wantStatus(t, 201).get("id").String()
}

func TestBatchExportDelete(t *testing.T) {
	e := newEnv(t)
	id := createExport(t, e, s3Export("doomed"))
	keep := createExport(t, e, s3Export("kept"))
	r := e.do("DELETE", exportPath(e, id, ""), nil).wantStatus(t, 204)
	if len(r.Body) != 0 {
		t.Fatalf("delete body = %q", r.Body)
	}
	notFound := func(method, rest string, body any, opts ...reqOpt) {
		t.Helper()
		e.do(method, exportPath(e, id, rest), body, opts...).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	}
	notFound("GET", "", nil)
	notFound("PATCH", "", map[string]any{"name": "x"})
	notFound("DELETE", "", nil)
	notFound("POST", "pause/", nil)
	notFound("POST", "unpause/", nil)
	notFound("POST", "backfill/", map[string]any{})
	notFound("GET", "logs/", nil, asSession(e.d.Session))
	list := e.do("GET", e.orgPath("batch_exports/"), nil).wantStatus(t, 200)
	if list.get("count").Int() != 1 || list.get("results.0.id").String() != keep {
		t.Fatalf("list after delete = %s", list.Body)
	}
	withWriteTx(e, func(tx *store.Tx) error {
		if x := tx.BatchExportByID(id); x == nil || !x.Deleted {
			t.Error("the export is not soft-deleted")
		}
		return nil
	})
	// Ids that are not UUIDs, and other organizations' exports, are not found.
	e.do("GET", e.orgPath("batch_exports/not-a-uuid/"), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	org := e.otherOrg()
	var foreign string
	withWriteTx(e, func(tx *store.Tx) error {
		x, err := tx.CreateBatchExport(org, store.NewBatchExport{Name: "theirs", Interval: "hour", Destination: store.NewBatchExportDestination{Type: "NoOp"}})
		if x != nil {
			foreign = x.ID
		}
		return err
	})
	e.do("GET", exportPath(e, foreign, ""), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	e.do("DELETE", exportPath(e, foreign, ""), nil).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
}

func TestBatchExportPauseUnpause(t *testing.T) {
	e := newEnv(t)
	id := createExport(t, e, s3Export("p"))
	get := func() *resp { return e.do("GET", exportPath(e, id, ""), nil).wantStatus(t, 200) }
	e.clock.Advance(time.Hour)
	r := e.do("POST", exportPath(e, id, "pause/"), nil).wantStatus(t, 200)
	if string(r.Body) != `{"paused":true}` {
		t.Fatalf("pause = %s", r.Body)
	}
	g := get()
	if !g.get("paused").Bool() || g.get("last_paused_at").String() != "2026-01-15T11:00:00Z" || g.get("last_updated_at").String() != "2026-01-15T11:00:00Z" {
		t.Fatalf("paused = %s", g.Body)
	}
	// Pausing again changes nothing, not even last_updated_at.
	e.clock.Advance(time.Hour)
	if r := e.do("POST", exportPath(e, id, "pause"), map[string]any{"paused": false}).wantStatus(t, 200); string(r.Body) != `{"paused":true}` {
		t.Fatalf("second pause = %s", r.Body)
	}
	if g2 := get(); string(g2.Body) != string(g.Body) {
		t.Fatalf("second pause changed the export:\n%s\n%s", g.Body, g2.Body)
	}
	// Unpause: paused false, last_paused_at kept.
	e.clock.Advance(time.Hour)
	r = e.do("POST", exportPath(e, id, "unpause/"), nil).wantStatus(t, 200)
	if string(r.Body) != `{"paused":false}` {
		t.Fatalf("unpause = %s", r.Body)
	}
	g = get()
	if g.get("paused").Bool() || g.get("last_paused_at").String() != "2026-01-15T11:00:00Z" || g.get("last_updated_at").String() != "2026-01-15T13:00:00Z" {
		t.Fatalf("unpaused = %s", g.Body)
	}
	e.clock.Advance(time.Hour)
	e.do("POST", exportPath(e, id, "unpause/"), map[string]any{"backfill": true}).wantStatus(t, 200)
	if g2 := get(); string(g2.Body) != string(g.Body) {
		t.Fatalf("second unpause changed the export")
	}
	// Unpause with a backfill of the paused time.
	e.do("POST", exportPath(e, id, "pause/"), nil).wantStatus(t, 200) // 14:00
	e.clock.Advance(90 * time.Minute)
	e.do("POST", exportPath(e, id, "unpause/"), map[string]any{"backfill": "maybe"}).wantError(t, 400, "validation_error", "invalid_input", store.MsgInvalidBool, "backfill")
	if !get().get("paused").Bool() {
		t.Fatal("a refused unpause unpaused")
	}
	e.do("POST", exportPath(e, id, "unpause/"), map[string]any{"backfill": true}).wantStatus(t, 200)
	withWriteTx(e, func(tx *store.Tx) error {
		bfs := tx.BatchExportBackfills(tx.BatchExport(e.d.OrganizationID, id))
		want := id + "-Backfill-2026-01-15T14:00:00+00:00-2026-01-15T15:30:00+00:00"
		if len(bfs) != 1 || bfs[0].ID != want || bfs[0].TriggeredBy != "unpause" || bfs[0].Status != "Starting" {
			t.Errorf("backfills = %+v, want one %s", bfs, want)
		}
		return nil
	})
	// Other bodies and methods.
	e.do("GET", exportPath(e, id, "pause/"), nil).wantError(t, 405, "invalid_request", "method_not_allowed", `Method "GET" not allowed.`, "")
	e.do("POST", exportPath(e, id, "unpause/"), "[1]").wantError(t, 400, "validation_error", "invalid_input", "Invalid data. Expected a dictionary, but got list.", "")
	// A user without a current project is refused as unauthenticated (PostHog's quirk).
	m := e.addMember(e.d.OrganizationID, store.LevelMember, "nocurrent@example.com")
	withWriteTx(e, func(tx *store.Tx) error { tx.User(m.User.ID).CurrentTeamID = 0; return nil })
	e.do("POST", exportPath(e, id, "unpause/"), nil, asKey(m.Key)).wantError(t, 401, "authentication_error", "not_authenticated", "Authentication credentials were not provided.", "")
	e.do("POST", exportPath(e, id, "pause/"), nil, asKey(m.Key)).wantStatus(t, 200)
}

func TestBatchExportBackfill(t *testing.T) {
	e := newEnv(t)
	id := createExport(t, e, s3Export("hourly"))
	path := exportPath(e, id, "backfill/")
	r := e.do("POST", path, map[string]any{"start_at": "2026-01-14T00:00:00Z", "end_at": "2026-01-15T02:00:00+02:00"}).wantStatus(t, 200)
	want := id + "-Backfill-2026-01-14T00:00:00+00:00-2026-01-15T00:00:00+00:00"
	if r.get("backfill_id").String() != want || len(r.JSON.Map()) != 1 {
		t.Fatalf("backfill = %s, want %s", r.Body, want)
	}
	bad := func(body any, detail string) {
		t.Helper()
		e.do("POST", path, body, asSession(e.d.Session)).wantError(t, 400, "validation_error", "invalid_input", detail, "")
	}
	bad(map[string]any{"start_at": "yesterday", "end_at": "2026-01-15T00:00:00Z"}, "Input yesterday is not a valid ISO formatted datetime.")
	bad(map[string]any{"start_at": 5, "end_at": "2026-01-15T00:00:00Z"}, "Input 5 is not a valid ISO formatted datetime.")
	bad(map[string]any{"start_at": "2026-01-14T00:00:00Z", "end_at": []any{"x", 1.5}}, "Input ['x', 1.5] is not a valid ISO formatted datetime.")
	bad(map[string]any{"start_at": "2026-01-14T00:00:00", "end_at": "2026-01-15T00:00:00Z"}, "Input 2026-01-14T00:00:00 is naive.")
	bad(map[string]any{"start_at": "2026-01-14", "end_at": "2026-01-15T00:00:00Z"}, "Input 2026-01-14 is naive.")
	bad(map[string]any{"start_at": "2026-01-15T00:00:00Z", "end_at": "2026-01-15T00:00:00Z"}, store.MsgBackfillOrder)
	bad(map[string]any{"start_at": "2026-01-15T01:00:00Z", "end_at": "2026-01-15T00:00:00Z"}, store.MsgBackfillOrder)
	bad(map[string]any{"start_at": "2026-01-15T00:00:00Z", "end_at": "2026-01-16T00:00:00.25-05:00"}, "The provided 'end_at' (2026-01-16T00:00:00.250000-05:00) is in the future")
	bad(map[string]any{"end_at": "2026-01-15T00:00:00Z"}, store.MsgBackfillFromBeginning)
	bad(map[string]any{"start_at": nil, "end_at": "2026-01-15T00:00:00Z"}, store.MsgBackfillFromBeginning)
	bad(map[string]any{"start_at": "2026-01-14T00:00:00Z"}, store.MsgBackfillNoEnd)
	bad("[]", "Invalid data. Expected a dictionary, but got list.")
	// Other ISO spellings Python accepts.
	r = e.do("POST", path, map[string]any{"start_at": "20260114T010203.5+0100", "end_at": "2026-01-14 10:00Z"}).wantStatus(t, 200)
	if r.get("backfill_id").String() != id+"-Backfill-2026-01-14T00:02:03.500000+00:00-2026-01-14T10:00:00+00:00" {
		t.Fatalf("backfill = %s", r.Body)
	}
	// HTTP exports may backfill without an end; the earliest backfill is behind a flag.
	httpID := createExport(t, e, map[string]any{"name": "h", "interval": "hour", "destination": map[string]any{"type": "HTTP", "config": map[string]any{"url": "https://us.i.posthog.com/batch/", "token": "t"}}})
	r = e.do("POST", exportPath(e, httpID, "backfill/"), map[string]any{"start_at": "2026-01-14T00:00:00Z"}).wantStatus(t, 200)
	if r.get("backfill_id").String() != httpID+"-Backfill-2026-01-14T00:00:00+00:00-END" {
		t.Fatalf("open-ended backfill = %s", r.Body)
	}
	withWriteTx(e, func(tx *store.Tx) error {
		o := tx.Org(e.d.OrganizationID)
		o.Features = append(o.Features, store.Feature{Key: store.FeatureBatchExportEarliestBackfill, Name: "Earliest backfill"})
		return nil
	})
	r = e.do("POST", path, map[string]any{"end_at": "2026-01-15T00:00:00Z"}).wantStatus(t, 200)
	if r.get("backfill_id").String() != id+"-Backfill-START-2026-01-15T00:00:00+00:00" {
		t.Fatalf("earliest backfill = %s", r.Body)
	}

	// Daily and weekly exports take dates, read at the offset hour in their time zone.
	daily := createExport(t, e, map[string]any{"name": "d", "interval": "day", "offset_hour": 6, "timezone": "America/New_York", "destination": s3Destination()})
	dpath := exportPath(e, daily, "backfill/")
	r = e.do("POST", dpath, map[string]any{"start_at": "2026-01-10", "end_at": "20260112"}).wantStatus(t, 200)
	if r.get("backfill_id").String() != daily+"-Backfill-2026-01-10T11:00:00+00:00-2026-01-12T11:00:00+00:00" {
		t.Fatalf("daily backfill = %s", r.Body)
	}
	dbad := func(body any, detail string) {
		t.Helper()
		e.do("POST", dpath, body).wantError(t, 400, "validation_error", "invalid_input", detail, "")
	}
	dbad(map[string]any{"start_at": "2026-01-10T00:00:00Z", "end_at": "2026-01-12"},
		"Input '2026-01-10T00:00:00Z' is not a valid ISO formatted date. Daily or weekly batch export backfills expect only the date component, but a time was included.")
	dbad(map[string]any{"start_at": "2026-02-30", "end_at": "2026-01-12"}, "Input '2026-02-30' is not a valid ISO formatted date.")
	dbad(map[string]any{"start_at": true, "end_at": "2026-01-12"}, "Input 'True' is not a valid ISO formatted date.")
	dbad(map[string]any{"start_at": "2026-01-10", "end_at": "2026-01-16"}, "The provided 'end_at' (2026-01-16T06:00:00-05:00) is in the future")
	weekly := createExport(t, e, map[string]any{"name": "w", "interval": "week", "offset_day": 1, "destination": s3Destination()})
	e.do("POST", exportPath(e, weekly, "backfill/"), map[string]any{"start_at": "2026-01-04", "end_at": "2026-01-12"}).wantError(t, 400, "validation_error", "invalid_input",
		"Input 2026-01-04 is not on the correct day of the week for this batch export. 2026-01-04 is a Sunday but this batch export is configured to run weekly on Monday.", "")
	e.do("POST", exportPath(e, weekly, "backfill/"), map[string]any{"start_at": "2026-01-05", "end_at": "2026-01-12"}).wantStatus(t, 200)

	// Each backfill is recorded and logged, with its id as instance id.
	withWriteTx(e, func(tx *store.Tx) error {
		if n := len(tx.BatchExportBackfills(tx.BatchExport(e.d.OrganizationID, id))); n != 3 {
			t.Errorf("hourly export has %d backfills, want 3", n)
		}
		return nil
	})
	logs := e.do("GET", exportPath(e, id, "logs/?search=backfill"), nil, asSession(e.d.Session)).wantStatus(t, 200)
	if logs.get("count").Int() != 3 || logs.get("results.2.message").String() != "Backfill started from 2026-01-14T00:00:00Z to 2026-01-15T00:00:00Z." ||
		logs.get("results.2.instance_id").String() != want || logs.get("results.0.message").String() != "Backfill started from the beginning of time to 2026-01-15T00:00:00Z." {
		t.Fatalf("backfill logs = %s", logs.Body)
	}
}

func TestBatchExportLogs(t *testing.T) {
	e := newEnv(t)
	id := createExport(t, e, s3Export("logged")) // 10:00 created
	// What the export's workflows write (the API writes nothing: no entry for creating,
	// pausing or unpausing).
	seed := func(level, message, instance string) {
		t.Helper()
		withWriteTx(e, func(tx *store.Tx) error {
			return tx.AddBatchExportLog(tx.BatchExport(e.d.OrganizationID, id), level, message, instance)
		})
	}
	seed("info", "Batch export run started.", "")
	e.clock.Advance(time.Minute)
	e.do("POST", exportPath(e, id, "pause/"), nil).wantStatus(t, 200) // 10:01 paused
	seed("INFO", "Batch export run retried.", "")
	e.clock.Advance(time.Minute)
	e.do("POST", exportPath(e, id, "pause/"), nil).wantStatus(t, 200) // no change, no entry
	seed("Info", "Batch export run finished.", "")
	e.do("POST", exportPath(e, id, "unpause/"), map[string]any{"backfill": true}).wantStatus(t, 200)
	e.clock.Advance(time.Minute)
	withWriteTx(e, func(tx *store.Tx) error {
		x := tx.BatchExport(e.d.OrganizationID, id)
		if err := tx.AddBatchExportLog(x, "error", "Run failed: AccessDenied", "run-1"); err != nil {
			return err
		}
		if err := tx.AddBatchExportLog(x, "loud", "x", ""); err == nil {
			t.Error("an unknown level was accepted")
		}
		return nil
	})
	logs := exportPath(e, id, "logs/")
	r := e.do("GET", logs, nil, asSession(e.d.Session)).wantStatus(t, 200)
	var msgs []string
	for _, m := range r.get("results.#.message").Array() {
		msgs = append(msgs, m.String())
	}
	want := []string{"Run failed: AccessDenied", "Backfill started from 2026-01-15T10:01:00Z to 2026-01-15T10:02:00Z.", "Batch export run finished.",
		"Batch export run retried.", "Batch export run started."}
	if fmt.Sprint(msgs) != fmt.Sprint(want) || r.get("count").Int() != 5 || r.get("results.0.level").String() != "ERROR" ||
		r.get("results.0.instance_id").String() != "run-1" || r.get("results.0.timestamp").String() != "2026-01-15T10:03:00Z" {
		t.Fatalf("logs = %s\nmessages %q", r.Body, msgs)
	}
	count := func(query string) (int64, *resp) {
		t.Helper()
		r := e.do("GET", logs+"?"+query, nil, asSession(e.d.Session)).wantStatus(t, 200)
		return r.get("results.#").Int(), r
	}
	// Filters.
	if n, r := count("level=error,WARN"); n != 1 || r.get("results.0.message").String() != "Run failed: AccessDenied" {
		t.Fatalf("level filter = %s", r.Body)
	}
	if n, _ := count("level=info&level=ERROR"); n != 1 { // the last value wins, as in Django
		t.Fatalf("repeated level = %d entries", n)
	}
	if n, _ := count("search=BATCH%20EXPORT"); n != 3 {
		t.Fatalf("search = %d entries", n)
	}
	if n, _ := count("search=" + url.QueryEscape("run_f%denied")); n != 1 { // ILIKE wildcards
		t.Fatalf("wildcard search = %d entries", n)
	}
	if n, _ := count("instance_id=" + id); n != 3 {
		t.Fatalf("instance_id = %d entries", n)
	}
	if n, _ := count("after=2026-01-15T10:01:00Z"); n != 3 {
		t.Fatalf("after = %d entries", n)
	}
	if n, _ := count("before=2026-01-15T10:02:00Z"); n != 2 {
		t.Fatalf("before = %d entries", n)
	}
	// limit caps what is fetched; offset pages within it.
	n, r := count("limit=2")
	if n != 2 || r.get("count").Int() != 2 || r.get("next").Type.String() != "Null" || r.get("results.1.message").String() != want[1] {
		t.Fatalf("limit = %s", r.Body)
	}
	n, r = count("limit=3&offset=2")
	if n != 1 || r.get("count").Int() != 3 || r.get("results.0.message").String() != want[2] || !strings.HasSuffix(r.get("previous").String(), "/logs/?limit=3") {
		t.Fatalf("offset = %s", r.Body)
	}
	// Cursor-style paging with before.
	n, r = count("limit=2&before=2026-01-15T10:02:00Z")
	if n != 2 || r.get("results.0.message").String() != "Batch export run retried." {
		t.Fatalf("before page = %s", r.Body)
	}
	// Bad parameters.
	badParam := func(query, code, detail, attr string) {
		t.Helper()
		e.do("GET", logs+"?"+query, nil, asSession(e.d.Session)).wantError(t, 400, "validation_error", code, detail, attr)
	}
	badParam("limit=0", "min_value", "Ensure this value is greater than or equal to 1.", "limit")
	badParam("limit=501", "max_value", "Ensure this value is less than or equal to 500.", "limit")
	badParam("limit=many", "invalid_input", store.MsgInvalidInt, "limit")
	badParam("after=soon", "invalid_input", store.MsgInvalidDate, "after")
	badParam("level=", "blank", store.MsgBlank, "level")
	badParam("search=", "blank", store.MsgBlank, "search")
	e.do("GET", logs+"?limit=500", nil, asSession(e.d.Session)).wantStatus(t, 200)
	// Session only: personal API keys are refused.
	e.do("GET", logs, nil).wantError(t, 403, "authentication_error", "permission_denied", "This action does not support personal API key access", "")
}

func TestBatchExportPermissions(t *testing.T) {
	e := newEnv(t)
	org := e.d.OrganizationID
	member := e.addMember(org, store.LevelMember, "member@example.com")
	outsider := e.addMember("", 0, "outsider@example.com")
	reader := e.addMember(org, store.LevelOwner, "reader@example.com", "batch_export:read")
	writer := e.addMember(org, store.LevelMember, "writer@example.com", "batch_export:write")
	other := e.addMember(org, store.LevelOwner, "other@example.com", "organization:write")
	// Plain members manage batch exports (no admin rule).
	id := e.do("POST", e.orgPath("batch_exports/"), s3Export("by member"), asKey(member.Key)).wantStatus(t, 201).get("id").String()
	e.do("PATCH", exportPath(e, id, ""), map[string]any{"name": "m"}, asSession(member.Session)).wantStatus(t, 200)
	e.do("POST", exportPath(e, id, "pause/"), nil, asKey(member.Key)).wantStatus(t, 200)
	// Scopes.
	e.do("GET", e.orgPath("batch_exports/"), nil, asKey(reader.Key)).wantStatus(t, 200)
	e.do("GET", exportPath(e, id, ""), nil, asKey(reader.Key)).wantStatus(t, 200)
	e.do("GET", e.orgPath("batch_exports/test/?destination=S3"), nil, asKey(reader.Key)).wantStatus(t, 200)
	const missingWrite = "API key missing required scope 'batch_export:write'"
	for _, c := range []struct{ method, path string }{
		{"POST", e.orgPath("batch_exports/")}, {"PATCH", exportPath(e, id, "")}, {"DELETE", exportPath(e, id, "")},
		{"POST", exportPath(e, id, "pause/")}, {"POST", exportPath(e, id, "unpause/")}, {"POST", exportPath(e, id, "backfill/")},
		{"POST", exportPath(e, id, "run_test_step/")}, {"POST", e.orgPath("batch_exports/run_test_step_new/")},
	} {
		e.do(c.method, c.path, map[string]any{}, asKey(reader.Key)).wantError(t, 403, "authentication_error", "permission_denied", missingWrite, "")
	}
	e.do("GET", e.orgPath("batch_exports/"), nil, asKey(other.Key)).wantError(t, 403, "authentication_error", "permission_denied", "API key missing required scope 'batch_export:read'", "")
	e.do("POST", exportPath(e, id, "unpause/"), nil, asKey(writer.Key)).wantStatus(t, 200)
	e.do("GET", exportPath(e, id, ""), nil, asKey(writer.Key)).wantStatus(t, 200) // write covers read
	// Non-members.
	e.do("GET", e.orgPath("batch_exports/"), nil, asKey(outsider.Key)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	e.do("GET", exportPath(e, id, ""), nil, asSession(outsider.Session)).wantError(t, 403, "authentication_error", "permission_denied", store.MsgNoPermission, "")
	e.do("GET", e.orgPath("batch_exports/"), nil, noAuth()).wantError(t, 401, "authentication_error", "not_authenticated", "Authentication credentials were not provided.", "")
	e.do("DELETE", exportPath(e, id, ""), nil, asKey(writer.Key)).wantStatus(t, 204)
}

func TestBatchExportListOrderAndProjects(t *testing.T) {
	e := newEnv(t)
	// A second project: exports follow the creator's current project.
	var second int
	withWriteTx(e, func(tx *store.Tx) error {
		u := tx.UserByEmail(e.d.UserEmail)
		p, err := tx.SeedProject(tx.Org(e.d.OrganizationID), u, store.Values{"name": "Second"})
		if err != nil {
			return err
		}
		second = p.ID
		return nil
	})
	var ids []string
	for i := 0; i < 3; i++ {
		ids = append(ids, createExport(t, e, s3Export(fmt.Sprintf("export %d", i))))
		e.clock.Advance(time.Second)
	}
	withWriteTx(e, func(tx *store.Tx) error { tx.UserByEmail(e.d.UserEmail).CurrentTeamID = second; return nil })
	r := e.do("POST", e.orgPath("batch_exports/"), s3Export("in second")).wantStatus(t, 201)
	if r.get("team_id").Int() != int64(second) {
		t.Fatalf("team_id = %d, want %d", r.get("team_id").Int(), second)
	}
	ids = append(ids, r.get("id").String())
	// Workflows exports are retrievable but not listed; other organizations' never are.
	var workflows string
	withWriteTx(e, func(tx *store.Tx) error {
		o := tx.Org(e.d.OrganizationID)
		o.Features = append(o.Features, store.Feature{Key: store.FeatureBackfillWorkflowsDestination, Name: "Workflows"})
		x, err := tx.CreateBatchExport(o.ID, store.NewBatchExport{Name: "wf", Interval: "hour", Destination: store.NewBatchExportDestination{Type: "Workflows"}})
		if x != nil {
			workflows = x.ID
		}
		return err
	})
	e.do("GET", exportPath(e, workflows, ""), nil).wantStatus(t, 200)
	createExportIn(t, e, newFeaturelessOrg(t, e), s3Export("elsewhere"))
	list := e.do("GET", e.orgPath("batch_exports/"), nil).wantStatus(t, 200)
	if list.get("count").Int() != 4 || list.get("results.0.id").String() != ids[3] || list.get("results.3.id").String() != ids[0] {
		t.Fatalf("list (newest first) = %s", list.Body)
	}
	page := e.do("GET", e.orgPath("batch_exports/?limit=2&offset=1"), nil).wantStatus(t, 200)
	if page.get("results.#").Int() != 2 || page.get("results.0.id").String() != ids[2] || !strings.HasSuffix(page.get("next").String(), "limit=2&offset=3") {
		t.Fatalf("page = %s", page.Body)
	}
	// Without a current project in the organization, the oldest project is used.
	withWriteTx(e, func(tx *store.Tx) error { tx.UserByEmail(e.d.UserEmail).CurrentTeamID = 0; return nil })
	if r := e.do("POST", e.orgPath("batch_exports/"), s3Export("fallback")).wantStatus(t, 201); r.get("team_id").Int() != int64(e.d.ProjectID) {
		t.Fatalf("fallback team_id = %d", r.get("team_id").Int())
	}
	// An organization whose projects are all being deleted has nowhere to put one.
	bare := newFeaturelessOrg(t, e)
	withWriteTx(e, func(tx *store.Tx) error {
		for _, p := range tx.Projects(bare, "") {
			p.IsPendingDeletion = true
		}
		return nil
	})
	e.do("POST", "/api/organizations/"+bare+"/batch_exports/", s3Export("nowhere")).wantError(t, 400, "validation_error", "invalid_input", store.MsgBatchExportNoProject, "")
	if n := e.do("GET", "/api/organizations/"+bare+"/batch_exports/", nil).get("count").Int(); n != 0 {
		t.Fatalf("a refused create left %d exports", n)
	}
}

func TestBatchExportDestinationTests(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", e.orgPath("batch_exports/test/?destination=Snowflake"), nil).wantStatus(t, 200)
	if r.get("steps.#").Int() != 4 || r.get("steps.0.name").String() != "Establish connection to Snowflake" || r.get("steps.0.result").Type.String() != "Null" {
		t.Fatalf("snowflake test = %s", r.Body)
	}
	// PostHog's view answers Response(status=...): 400 without ?destination (or with it
	// empty), 404 for a destination without a test, both with an empty body.
	for _, c := range []struct {
		query  string
		status int
	}{{"", 400}, {"?destination=", 400}, {"?destination=S3&destination=", 400}, {"?destination=Postgres", 404}, {"?destination=s3", 404}} {
		r := e.do("GET", e.orgPath("batch_exports/test/"+c.query), nil).wantStatus(t, c.status)
		if len(r.Body) != 0 || r.Header.Get("Content-Type") != "" {
			t.Errorf("test/%s answered %q (Content-Type %q), want an empty body", c.query, r.Body, r.Header.Get("Content-Type"))
		}
	}

	newStep := e.orgPath("batch_exports/run_test_step_new/")
	full := s3Export("t")
	r = e.do("POST", newStep, full).wantStatus(t, 200)
	if r.get("name").String() != "Check S3 bucket exists" || r.get("result.status").String() != "Passed" || r.get("result.message").Type.String() != "Null" {
		t.Fatalf("s3 step = %s", r.Body)
	}
	// Without credentials the step is not configured.
	noCreds := s3Export("t")
	noCreds["destination"] = map[string]any{"type": "S3", "config": map[string]any{"bucket_name": "b", "region": "r", "prefix": "p"}}
	r = e.do("POST", newStep, noCreds).wantStatus(t, 200)
	if r.get("result.status").String() != "Failed" || r.get("result.message").String() != store.MsgTestStepNotConfigured {
		t.Fatalf("unconfigured step = %s", r.Body)
	}
	// The body is validated as an export first; then the step.
	delete(noCreds, "name")
	e.do("POST", newStep, noCreds).wantError(t, 400, "validation_error", "required", store.MsgRequired, "name")
	full["step"] = 1
	e.do("POST", newStep, full).wantError(t, 400, "validation_error", "invalid_input", "The S3 test has no step 1.", "step")
	full["step"] = "first"
	e.do("POST", newStep, full).wantError(t, 400, "validation_error", "invalid_input", store.MsgInvalidInt, "step")
	// Steps that need an integration's credentials never run in the fake.
	e.do("GET", e.orgPath("batch_exports/test/?destination=Databricks"), nil).wantStatus(t, 200)
	withWriteTx(e, func(tx *store.Tx) error {
		if r := tx.RunDestinationTestStep("Databricks", 0, map[string]any{"http_path": "h"}); r.Status != "Failed" || *r.Message != store.MsgTestStepNotConfigured {
			t.Errorf("databricks step = %+v", r)
		}
		if err := tx.SetDestinationTestResult("Databricks", 5, "Passed", ""); err == nil {
			t.Error("a step that does not exist was set")
		}
		if err := tx.SetDestinationTestResult("Databricks", 0, "Maybe", ""); err == nil {
			t.Error("an unknown status was set")
		}
		return nil
	})
	e.do("POST", newStep, map[string]any{"name": "n", "interval": "hour", "destination": map[string]any{"type": "NoOp"}}).
		wantError(t, 400, "validation_error", "invalid_input", "Unsupported destination: NoOp", "")
	// A step index counts from the end when negative; scenarios choose results.
	bq := map[string]any{"name": "b", "interval": "hour", "step": -1, "destination": map[string]any{"type": "BigQuery",
		"config": map[string]any{"project_id": "p", "dataset_id": "d", "private_key": "k", "private_key_id": "i", "token_uri": "t", "client_email": "c"}}}
	r = e.do("POST", newStep, bq).wantStatus(t, 200)
	if r.get("name").String() != "Verify BigQuery table" || r.get("result.status").String() != "Failed" {
		t.Fatalf("bigquery table step (no table_id) = %s", r.Body)
	}
	withWriteTx(e, func(tx *store.Tx) error {
		return tx.SetDestinationTestResult("BigQuery", 2, "Failed", "Dataset 'd' could not be found")
	})
	bq["destination"].(map[string]any)["config"].(map[string]any)["table_id"] = "events"
	r = e.do("POST", newStep, bq).wantStatus(t, 200)
	if r.get("result.status").String() != "Failed" || r.get("result.message").String() != "Dataset 'd' could not be found" {
		t.Fatalf("chosen result = %s", r.Body)
	}
	withWriteTx(e, func(tx *store.Tx) error { return tx.SetDestinationTestResult("BigQuery", 2, "", "") })
	if r = e.do("POST", newStep, bq).wantStatus(t, 200); r.get("result.status").String() != "Passed" {
		t.Fatalf("restored emulation = %s", r.Body)
	}

	// run_test_step on an export: its stored secrets configure the test.
	id := createExport(t, e, s3Export("stored"))
	r = e.do("POST", exportPath(e, id, "run_test_step/"), map[string]any{"name": "stored", "interval": "hour",
		"destination": map[string]any{"type": "S3", "config": map[string]any{"bucket_name": "b2"}}}).wantStatus(t, 200)
	if r.get("result.status").String() != "Passed" {
		t.Fatalf("stored config test = %s", r.Body)
	}
	e.do("POST", exportPath(e, id, "run_test_step/"), map[string]any{"name": "s", "interval": "hour", "destination": map[string]any{"type": "Snowflake", "config": map[string]any{}}}).
		wantError(t, 400, "validation_error", "invalid_input", // the stored S3 config is laid under the body's, as in PostHog
			"Configuration has unknown field/s: 'aws_access_key_id', 'aws_secret_access_key', 'bucket_name', 'compression', 'file_format', 'prefix', 'region'", "destination__non_field_errors")
	e.do("POST", exportPath(e, "019bc119-0000-7000-8000-000000000000", "run_test_step/"), full).wantError(t, 404, "invalid_request", "not_found", "Not found.", "")
	// Testing never changes the export.
	if r := e.do("GET", exportPath(e, id, ""), nil); r.get("destination.config.bucket_name").String() != "my-bucket" {
		t.Fatalf("test changed the export: %s", r.Body)
	}
}

func TestBatchExportSeeding(t *testing.T) {
	e := newEnv(t)
	const fixed = "019bc119-aaaa-7000-8000-000000000001"
	tz := "Europe/Berlin"
	q := "SELECT event FROM events"
	withWriteTx(e, func(tx *store.Tx) error {
		x, err := tx.CreateBatchExport(e.d.OrganizationID, store.NewBatchExport{ID: fixed, Name: "seeded", Interval: "day", Timezone: &tz,
			OffsetHour: store.IntP(2), HogQLQuery: &q, CreatedBy: tx.UserByEmail(e.d.UserEmail),
			Destination: store.NewBatchExportDestination{Type: "Postgres", Config: map[string]any{"user": "u", "password": "p", "host": "h", "database": "d", "port": 6543}}})
		if err != nil {
			return err
		}
		for i, status := range []string{"Completed", "Failed"} {
			end := time.Date(2026, 1, 14, i, 0, 0, 0, time.UTC)
			if _, err := tx.AddBatchExportRun(x, store.NewBatchExportRun{Status: status, DataIntervalEnd: end, RecordsCompleted: store.IntP(10 * (i + 1))}); err != nil {
				return err
			}
		}
		if _, err := tx.AddBatchExportRun(x, store.NewBatchExportRun{Status: "Exploded"}); err == nil {
			t.Error("an unknown run status was accepted")
		}
		// The API's rules apply to seeding.
		for _, bad := range []store.NewBatchExport{
			{Name: "x", Interval: "hour", Destination: store.NewBatchExportDestination{Type: "S3", Config: map[string]any{"bucket_name": "b"}}},
			{Name: "x", Interval: "fortnight", Destination: store.NewBatchExportDestination{Type: "NoOp"}},
			{ID: fixed, Name: "x", Interval: "hour", Destination: store.NewBatchExportDestination{Type: "NoOp"}},
		} {
			if _, err := tx.CreateBatchExport(e.d.OrganizationID, bad); err == nil {
				t.Errorf("seeding accepted %+v", bad)
			}
		}
		return nil
	})
	r := e.do("GET", exportPath(e, fixed, ""), nil).wantStatus(t, 200)
	if r.get("name").String() != "seeded" || r.get("timezone").String() != "Europe/Berlin" || r.get("offset_hour").Int() != 2 ||
		r.get("destination.config.port").Int() != 6543 || r.get("destination.config.password").Exists() ||
		r.get("schema.fields.0.alias").String() != "event" || r.get("latest_runs.#").Int() != 2 ||
		r.get("latest_runs.1.status").String() != "Completed" || r.get("latest_runs.0.records_completed").Int() != 20 ||
		r.get("latest_runs.0.batch_export").String() != fixed || r.get("latest_runs.0.data_interval_end").String() != "2026-01-14T01:00:00Z" {
		t.Fatalf("seeded = %s", r.Body)
	}

	// Snapshots share nothing with the live store.
	snap := e.srv.Store().Snapshot()
	e.do("PATCH", exportPath(e, fixed, ""), map[string]any{"name": "changed", "destination": map[string]any{"config": map[string]any{"host": "other"}}}).wantStatus(t, 200)
	e.do("POST", exportPath(e, fixed, "pause/"), nil).wantStatus(t, 200)
	withWriteTx(e, func(tx *store.Tx) error {
		if err := tx.AddBatchExportLog(tx.BatchExport(e.d.OrganizationID, fixed), "INFO", "after the snapshot", ""); err != nil {
			return err
		}
		return tx.SetDestinationTestResult("S3", 0, "Skipped", "")
	})
	e.srv.Store().Restore(snap)
	r = e.do("GET", exportPath(e, fixed, ""), nil).wantStatus(t, 200)
	if r.get("name").String() != "seeded" || r.get("paused").Bool() {
		t.Fatalf("restored = %s", r.Body)
	}
	withWriteTx(e, func(tx *store.Tx) error {
		if h := tx.BatchExport(e.d.OrganizationID, fixed).Destination.Config["host"]; h != "h" {
			t.Errorf("restored host = %v", h)
		}
		if res := tx.RunDestinationTestStep("S3", 0, map[string]any{}); res.Status != "Failed" {
			t.Errorf("a chosen test result survived the restore: %+v", res)
		}
		return nil
	})
	if n := e.do("GET", exportPath(e, fixed, "logs/"), nil, asSession(e.d.Session)).get("count").Int(); n != 0 {
		t.Fatalf("restored logs = %d entries, want none", n)
	}

	// Deleting the organization removes its exports.
	org := e.otherOrg()
	var foreign string
	withWriteTx(e, func(tx *store.Tx) error {
		x, err := tx.CreateBatchExport(org, store.NewBatchExport{Name: "gone", Interval: "hour", Destination: store.NewBatchExportDestination{Type: "NoOp"}})
		if err != nil {
			return err
		}
		foreign = x.ID
		tx.DeleteOrganization(tx.Org(org))
		if tx.BatchExportByID(foreign) != nil {
			t.Error("an export survived its organization")
		}
		if tx.BatchExportByID(fixed) == nil {
			t.Error("another organization's export went with it")
		}
		return nil
	})
}

// TestBatchExportLatestRuns: latest_runs holds the ten newest runs, newest first, in the
// detail and the list alike.
func TestBatchExportLatestRuns(t *testing.T) {
	e := newEnv(t)
	id := createExport(t, e, s3Export("busy"))
	for i := 0; i < 12; i++ {
		e.clock.Advance(time.Hour)
		withWriteTx(e, func(tx *store.Tx) error {
			_, err := tx.AddBatchExportRun(tx.BatchExport(e.d.OrganizationID, id), store.NewBatchExportRun{RecordsCompleted: store.IntP(i)})
			return err
		})
	}
	check := func(runs gjson.Result) {
		t.Helper()
		if runs.Get("#").Int() != 10 {
			t.Fatalf("latest_runs has %d runs, want 10", runs.Get("#").Int())
		}
		for i, r := range runs.Array() {
			if r.Get("records_completed").Int() != int64(11-i) || r.Get("batch_export").String() != id {
				t.Fatalf("latest_runs[%d] = %s", i, r.Raw)
			}
		}
	}
	check(e.do("GET", exportPath(e, id, ""), nil).wantStatus(t, 200).get("latest_runs"))
	check(e.do("GET", e.orgPath("batch_exports/"), nil).wantStatus(t, 200).get("results.0.latest_runs"))
	// A seeded run carries every counter PostHog fills.
	e.clock.Advance(time.Hour)
	withWriteTx(e, func(tx *store.Tx) error {
		bytes, cursor := int64(1<<40), "c-1"
		_, err := tx.AddBatchExportRun(tx.BatchExport(e.d.OrganizationID, id), store.NewBatchExportRun{Status: "FailedRetryable",
			RecordsCompleted: store.IntP(90), RecordsFailed: store.IntP(10), RecordsTotalCount: store.IntP(100), BytesExported: &bytes, Cursor: &cursor})
		return err
	})
	r := e.do("GET", exportPath(e, id, ""), nil).wantStatus(t, 200).get("latest_runs.0")
	if r.Get("status").String() != "FailedRetryable" || r.Get("records_failed").Int() != 10 || r.Get("records_total_count").Int() != 100 ||
		r.Get("bytes_exported").Int() != 1<<40 || r.Get("cursor").String() != "c-1" {
		t.Fatalf("latest run = %s", r.Raw)
	}
}
