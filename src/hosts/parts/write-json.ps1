# UTF-8 without a byte-order mark, whatever the PowerShell version's default encoding.
$json = ConvertTo-Json -InputObject $doc -Depth 8
$path = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutFile)
[System.IO.File]::WriteAllText($path, $json, (New-Object System.Text.UTF8Encoding($false)))
