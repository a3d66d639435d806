module github.com/fakehog/fakehog

go 1.25

require (
	github.com/gorilla/mux v1.8.1
	github.com/tidwall/gjson v1.20.1
)

require (
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.0 // indirect
)
