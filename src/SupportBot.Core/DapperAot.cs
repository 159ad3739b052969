// Dapper's calls in this assembly run code generated at build time instead of IL emitted at run time (Native AOT).
// Dapper.AOT reads no value tuples: rows are named record structs (Storage/Rows.cs).
[module: Dapper.DapperAot]
