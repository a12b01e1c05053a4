# JSON object: NameResolution
$lookup = [ordered]@{
    name = $h
    addresses = @()
    error = $null
}
try {
    if ($null -ne (Get-Command -Name 'Resolve-DnsName' -ErrorAction SilentlyContinue)) {
        $answers = @(Resolve-DnsName -Name $h -ErrorAction Stop |
            Where-Object { $_.PSObject.Properties.Name -contains 'IPAddress' } |
            ForEach-Object { [string]$_.IPAddress })
    } else {
        $answers = @([System.Net.Dns]::GetHostAddresses($h) | ForEach-Object { $_.IPAddressToString })
    }
    $lookup['addresses'] = @($answers | Select-Object -Unique)
} catch {
    $lookup['error'] = $_.Exception.Message
}
