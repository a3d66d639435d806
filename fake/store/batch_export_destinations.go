package store

// Batch export destinations: each destination type's configuration fields (PostHog's
// *BatchExportInputs dataclasses), which of them are secrets, how a config is checked,
// converted and merged on update, and the emulated "test destination" steps.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
)

// ---------------------------------------------------------------------------------------
// Destination configuration rules: the fields of each destination's workflow inputs
// (PostHog's *BatchExportInputs dataclasses). Only fields typed plainly str, int or bool
// are type-checked, as PostHog only checks those.

type cfgKind int

const (
	cfgAny cfgKind = iota
	cfgStr
	cfgInt
	cfgBool
)

type configField struct {
	name     string
	kind     cfgKind
	required bool
}

// baseConfigFields are BaseBatchExportInputs: allowed in any config, never checked.
var baseConfigFields = []string{"batch_export_id", "team_id", "interval", "timezone", "data_interval_end", "exclude_events",
	"include_events", "is_backfill", "is_earliest_backfill", "backfill_details", "batch_export_model",
	"batch_export_schema", "integration_id"}

func req(name string, k cfgKind) configField { return configField{name: name, kind: k, required: true} }

func opt(name string, k cfgKind) configField { return configField{name: name, kind: k} }

// destinationFields are each destination's own input fields, in declaration order.
var destinationFields = map[string][]configField{
	"S3": {req("bucket_name", cfgStr), req("region", cfgStr), req("prefix", cfgStr), opt("aws_access_key_id", cfgAny),
		opt("aws_secret_access_key", cfgAny), opt("compression", cfgAny), opt("encryption", cfgAny), opt("kms_key_id", cfgAny),
		opt("endpoint_url", cfgAny), opt("file_format", cfgStr), opt("max_file_size_mb", cfgAny), opt("use_virtual_style_addressing", cfgBool)},
	"Snowflake": {req("account", cfgStr), req("user", cfgStr), req("database", cfgStr), req("warehouse", cfgStr), req("schema", cfgStr),
		opt("table_name", cfgStr), opt("authentication_type", cfgStr), opt("password", cfgAny), opt("private_key", cfgAny),
		opt("private_key_passphrase", cfgAny), opt("role", cfgAny)},
	"Postgres": {req("user", cfgStr), req("password", cfgStr), req("host", cfgStr), req("database", cfgStr), opt("schema", cfgStr),
		opt("table_name", cfgStr), opt("port", cfgInt), opt("has_self_signed_cert", cfgBool)},
	"Redshift": {req("user", cfgStr), req("password", cfgStr), req("host", cfgStr), req("database", cfgStr), opt("schema", cfgStr),
		opt("table_name", cfgStr), opt("port", cfgInt), opt("properties_data_type", cfgStr), opt("mode", cfgAny), opt("copy_inputs", cfgAny)},
	"BigQuery": {req("project_id", cfgStr), req("dataset_id", cfgStr), opt("table_id", cfgStr), req("private_key", cfgStr),
		req("private_key_id", cfgStr), req("token_uri", cfgStr), req("client_email", cfgStr), opt("use_json_type", cfgBool)},
	"Databricks": {req("http_path", cfgStr), req("catalog", cfgStr), req("schema", cfgStr), req("table_name", cfgStr),
		opt("use_variant_type", cfgBool), opt("use_automatic_schema_evolution", cfgBool)},
	"AzureBlob": {req("container_name", cfgStr), opt("prefix", cfgStr), opt("compression", cfgAny), opt("file_format", cfgStr),
		opt("max_file_size_mb", cfgAny)},
	"Workflows": {},
	"HTTP":      {req("url", cfgStr), req("token", cfgStr)},
	"NoOp":      {opt("arg", cfgStr)},
	"FileDownload": {opt("data_interval_start", cfgAny), opt("batch_export_run_id", cfgAny), opt("file_format", cfgStr),
		opt("max_file_size_mb", cfgAny), opt("compression", cfgAny), opt("expires_in_seconds", cfgInt),
		opt("main_activity_timeout_seconds", cfgAny), opt("stage_activity_timeout_seconds", cfgAny)},
}

// batchExportSecretFields are stripped (at any depth) from every config PostHog returns.
var batchExportSecretFields = map[string][]string{
	"S3":        {"aws_access_key_id", "aws_secret_access_key"},
	"Snowflake": {"user", "password", "private_key", "private_key_passphrase"},
	"Postgres":  {"user", "password"},
	"Redshift":  {"user", "password", "aws_access_key_id", "aws_secret_access_key"},
	"BigQuery":  {"private_key", "private_key_id", "client_email", "token_uri"},
	"HTTP":      {"token"},
}

// s3Compressions is S3's SUPPORTED_COMPRESSIONS, by file format.
var s3FileFormats = []string{"Parquet", "JSONLines"}

var s3Compressions = map[string][]string{
	"Parquet":   {"zstd", "lz4", "snappy", "gzip", "brotli"},
	"JSONLines": {"gzip", "brotli"},
}

// checkDestinationConfig rejects unknown fields, missing required fields (not on PATCH) and
// values of the wrong type, converting "5" to 5 and "true" to true where PostHog does.
func checkDestinationConfig(typ string, config map[string]any, partial bool) *Error {
	fields := destinationFields[typ]
	invalid := func(msg string) *Error { return FieldError(attrDestinationNonField, "invalid_input", msg) }
	var extra []string
	for k := range config {
		known := containsStr(baseConfigFields, k)
		for _, f := range fields {
			if f.name == k {
				known = true
			}
		}
		if !known {
			extra = append(extra, "'"+k+"'")
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return invalid("Configuration has unknown field/s: " + strings.Join(extra, ", "))
	}
	for _, f := range fields {
		v, ok := config[f.name]
		if !ok {
			if f.required && !partial {
				return invalid(fmt.Sprintf("Configuration missing required field: '%s'", f.name))
			}
			continue
		}
		if f.kind == cfgAny {
			continue
		}
		got, converted, ok := convertConfigValue(v, f.kind)
		if !ok {
			want := map[cfgKind]string{cfgStr: "str", cfgInt: "int", cfgBool: "bool"}[f.kind]
			return invalid(fmt.Sprintf("Configuration has invalid type: got '%s', expected '%s'", pyTypeOf(v), want))
		}
		if converted {
			config[f.name] = got
		}
	}
	return nil
}

// convertConfigValue is isinstance plus PostHog's try_convert_to_type (str → bool, str → int).
func convertConfigValue(v any, kind cfgKind) (any, bool, bool) {
	switch kind {
	case cfgStr:
		_, ok := v.(string)
		return v, false, ok
	case cfgInt:
		switch x := v.(type) {
		case bool:
			return v, false, true // bool is an int in Python
		case json.Number:
			if _, err := strconv.ParseInt(x.String(), 10, 64); err == nil {
				return v, false, true
			}
			return v, false, false
		case int:
			return v, false, true
		case string:
			if n, ok := pyInt(x); ok {
				return n, true, true
			}
		}
		return v, false, false
	case cfgBool:
		switch x := v.(type) {
		case bool:
			return v, false, true
		case string:
			low := strings.ToLower(x)
			return x != "" && containsStr([]string{"y", "yes", "t", "true", "on", "1"}, low), true, true
		}
		return v, false, false
	}
	return v, false, true
}

// checkRedshiftCopy is the COPY mode rule of Redshift exports.
func checkRedshiftCopy(cfg map[string]any) *Error {
	if cfg["mode"] != "COPY" {
		return nil
	}
	destErr := func(msg string) *Error { return FieldError(attrDestination, "invalid_input", msg) }
	ci, present := cfg["copy_inputs"]
	if !present || !pyTruthy(ci) {
		return destErr(msgCOPYMissingInputs)
	}
	inputs, ok := ci.(map[string]any)
	if !ok {
		return destErr(msgCOPYMissingInput)
	}
	for _, k := range []string{"s3_bucket", "region_name", "authorization", "bucket_credentials"} {
		if _, ok := inputs[k]; !ok {
			return destErr(msgCOPYMissingInput)
		}
	}
	hasCreds := func(v any) bool {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		_, a := m["aws_access_key_id"]
		_, b := m["aws_secret_access_key"]
		return a && b
	}
	if !hasCreds(inputs["bucket_credentials"]) {
		return destErr(msgCOPYMissingBucketCreds)
	}
	switch a := inputs["authorization"].(type) {
	case map[string]any:
		if !hasCreds(a) {
			return destErr(msgCOPYMissingCredentials)
		}
	case string:
		if strings.TrimSpace(a) == "" {
			return destErr(msgCOPYMissingIAMRole)
		}
	}
	return nil
}

// mergeConfig is PostHog's recursive_dict_merge: new over old, nested objects merged.
func mergeConfig(old, upd map[string]any) map[string]any {
	out := make(map[string]any, len(old)+len(upd))
	for k, v := range old {
		out[k] = CloneValue(v)
	}
	for k, v := range upd {
		nv, newIsMap := v.(map[string]any)
		ov, oldIsMap := out[k].(map[string]any)
		switch {
		case newIsMap && oldIsMap:
			out[k] = mergeConfig(ov, nv)
		case newIsMap:
			out[k] = mergeConfig(map[string]any{}, nv)
		default:
			out[k] = CloneValue(v)
		}
	}
	return out
}

// ---------------------------------------------------------------------------------------
// Destination tests: the steps PostHog runs to check a destination, emulated. A step
// passes when the configuration it needs is there (PostHog's "configured" rule); a scenario
// can choose any step's result with SetDestinationTestResult.

// DestinationTestStep is one step of a destination test.
type DestinationTestStep struct {
	Name        string
	Description string
	needs       func(cfg map[string]any) bool
}

// DestinationTestResult is a step's result: Status Passed, Failed or Skipped.
type DestinationTestResult struct {
	Status  string
	Message *string
}

func has(cfg map[string]any, keys ...string) bool {
	for _, k := range keys {
		if cfg[k] == nil {
			return false
		}
	}
	return true
}

func snowflakeAuth(cfg map[string]any) bool {
	return has(cfg, "account", "user") && (cfg["private_key"] != nil || cfg["password"] != nil)
}

// integrationOnly are configuration keys only an integration provides; the fake has none.
func integrationOnly(map[string]any) bool { return false }

var destinationTests = map[string][]DestinationTestStep{
	"S3": {{Name: "Check S3 bucket exists", Description: "Ensure the configured S3 bucket exists and that we have the required permissions to access it.",
		needs: func(c map[string]any) bool {
			return has(c, "bucket_name", "aws_access_key_id", "aws_secret_access_key")
		}}},
	"BigQuery": {
		{Name: "Verify BigQuery project", Description: "Ensure the configured BigQuery project exists and that we have the required permissions to access it.",
			needs: func(c map[string]any) bool { return has(c, "project_id") }},
		{Name: "Verify BigQuery dataset", Description: "Ensure the configured BigQuery dataset exists and that we have the required permissions to access it.",
			needs: func(c map[string]any) bool { return has(c, "project_id", "dataset_id") }},
		{Name: "Verify BigQuery table", Description: "Ensure the configured BigQuery table already exists or that we have the required permissions to create it. Additionally, when creating a table, we will attempt to delete it.",
			needs: func(c map[string]any) bool { return has(c, "project_id", "dataset_id", "table_id") }},
	},
	"Snowflake": {
		{Name: "Establish connection to Snowflake", Description: "Attempt to establish a Snowflake connection with the provided configuration values.",
			needs: snowflakeAuth},
		{Name: "Verify Snowflake warehouse", Description: "Verify the configured Snowflake warehouse exists and we have the necessary permissions to use it.",
			needs: func(c map[string]any) bool { return snowflakeAuth(c) && has(c, "warehouse") }},
		{Name: "Verify Snowflake database", Description: "Verify the configured Snowflake database exists and we have the necessary permissions to use it.",
			needs: func(c map[string]any) bool { return snowflakeAuth(c) && has(c, "warehouse", "database") }},
		{Name: "Verify Snowflake schema", Description: "Verify the configured Snowflake schema exists and we have the necessary permissions to use it.",
			needs: func(c map[string]any) bool { return snowflakeAuth(c) && has(c, "warehouse", "database", "schema") }},
	},
	"Databricks": {
		{Name: "Establish connection to Databricks", Description: "Attempt to establish a Databricks connection with the provided configuration values.", needs: integrationOnly},
		{Name: "Verify Databricks catalog", Description: "Verify the configured Databricks catalog exists and we have the necessary permissions to use it.", needs: integrationOnly},
		{Name: "Verify Databricks schema", Description: "Verify the configured Databricks schema exists and we have the necessary permissions to use it.", needs: integrationOnly},
		{Name: "Verify Databricks table", Description: "Ensure the configured Databricks table already exists or that we have the required permissions to create it. Additionally, when creating this test table, we will attempt to delete it.", needs: integrationOnly},
		{Name: "Verify permissions to create a Databricks volume", Description: "Ensure we have the required permissions to create a Databricks volume. We need to create temporary volumes as part of the batch export process.", needs: integrationOnly},
	},
	"AzureBlob": {{Name: "Check Azure Blob container exists", Description: "Ensure the configured container exists and that we have the required permissions to access it.", needs: integrationOnly}},
}

// MsgTestStepNotConfigured is a failed step's message when its configuration is missing.
const MsgTestStepNotConfigured = "The test step cannot run as it's not configured."

// DestinationTestSteps returns the steps of a destination's test (nil: it has none).
func DestinationTestSteps(destType string) []DestinationTestStep { return destinationTests[destType] }

// SetDestinationTestResult makes step (0-based) of destType's test answer status
// (Passed, Failed or Skipped) with message; an empty status restores the emulation.
func (tx *Tx) SetDestinationTestResult(destType string, step int, status, message string) error {
	steps := destinationTests[destType]
	if step < 0 || step >= len(steps) {
		return Invalid(fmt.Sprintf("%s has no test step %d.", destType, step))
	}
	key := fmt.Sprintf("%s/%d", destType, step)
	if status == "" {
		delete(tx.st.ext.batchExports.testOutcomes, key)
		return nil
	}
	if !containsStr([]string{"Passed", "Failed", "Skipped"}, status) {
		return Invalid(MsgInvalidChoice(status))
	}
	r := DestinationTestResult{Status: status}
	if message != "" {
		r.Message = &message
	}
	tx.st.ext.batchExports.testOutcomes[key] = r
	return nil
}

// RunDestinationTestStep runs step (0-based) of destType's test with the configuration.
func (tx *Tx) RunDestinationTestStep(destType string, step int, cfg map[string]any) DestinationTestResult {
	if r, ok := tx.st.ext.batchExports.testOutcomes[fmt.Sprintf("%s/%d", destType, step)]; ok {
		return r
	}
	if !destinationTests[destType][step].needs(cfg) {
		msg := MsgTestStepNotConfigured
		return DestinationTestResult{Status: "Failed", Message: &msg}
	}
	return DestinationTestResult{Status: "Passed"}
}

// ValidateBatchExportTest checks a run_test_step body as a create body (PostHog validates it
// with the export serializer) and returns the destination type and the configuration the
// test runs with. For an existing export (run_test_step), the stored configuration's known
// fields, secrets included, are the base the body's config is laid over.
func (tx *Tx) ValidateBatchExportTest(o *Organization, existing *BatchExport, body gjson.Result) (string, map[string]any, error) {
	if !body.IsObject() {
		return "", nil, Invalid("Invalid data. Expected a dictionary, but got " + pyTypeName(body) + ".")
	}
	if existing != nil {
		// A config that is not an object is left for the validation to report.
		if d := body.Get("destination"); d.IsObject() && (!d.Get("config").Exists() || d.Get("config").IsObject()) {
			m := decodeJSONObject(body.Raw)
			dest := decodeJSONObject(d.Raw)
			stored := map[string]any{}
			for k, v := range existing.Destination.Config {
				if containsStr(baseConfigFields, k) || knownConfigField(existing.Destination.Type, k) {
					stored[k] = CloneValue(v)
				}
			}
			given := map[string]any{}
			if c := d.Get("config"); c.IsObject() {
				given = decodeJSONObject(c.Raw)
			}
			for k, v := range given {
				stored[k] = v
			}
			dest["config"] = stored
			m["destination"] = dest
			data, _ := json.Marshal(m)
			body = gjson.ParseBytes(data)
		}
	}
	w, err := tx.validateBatchExport(o, existing, body, Create)
	if err != nil {
		return "", nil, err
	}
	return w.dest.typ, normalizeJSON(w.dest.config).(map[string]any), nil
}

func knownConfigField(destType, name string) bool {
	for _, f := range destinationFields[destType] {
		if f.name == name {
			return true
		}
	}
	return false
}
