$entry = [ordered]@{}
foreach ($k in $FactKeys) {
    if ($k -eq 'errors') { continue }
    if ($r.ContainsKey($k) -and $null -ne $r[$k]) { $entry[$k] = $r[$k] }
}
