try {
    # auditpol's CSV: the header, names and settings are in the machine's language, so the
    # columns are taken by position (ata2atp reads the GUID and the setting).
    $lines = @(& { $ErrorActionPreference = 'Continue'; & auditpol.exe /get /category:* /r 2>&1 })
    $rows = @($lines | Where-Object { "$_" -match '\{[0-9A-Fa-f-]{36}\}' } |
        ConvertFrom-Csv -Header 'machine', 'target', 'subcategory', 'guid', 'inclusion', 'exclusion')
    if ($rows.Count -eq 0) { throw ('auditpol gave no subcategory: {0}' -f (($lines | Out-String).Trim() -replace '\s+', ' ')) }
    $policy = New-Object System.Collections.ArrayList
    foreach ($row in $rows) {
        # JSON object: AuditSubcategory
        $sub = [ordered]@{
            guid = ([string]$row.guid).Trim('{}').ToUpperInvariant()
            name = [string]$row.subcategory
            setting = [string]$row.inclusion
        }
        [void]$policy.Add($sub)
    }
    $facts['audit_policy'] = $policy
} catch {
    [void]$errors.Add(('audit_policy: {0}' -f $_.Exception.Message))
}
