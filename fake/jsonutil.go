package fake

// Small gjson helpers shared by the handlers.

import (
	"strconv"

	"github.com/tidwall/gjson"
)

// gjsonResult is a short name for gjson.Result in handler signatures.
type gjsonResult = gjson.Result

// intValue reads an integer from a JSON number or numeric string.
func intValue(v gjson.Result) (int, bool) {
	switch v.Type {
	case gjson.Number:
		n, err := strconv.Atoi(v.Raw)
		return n, err == nil
	case gjson.String:
		n, err := strconv.Atoi(v.Str)
		return n, err == nil
	}
	return 0, false
}
