# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_docker_rkbuild_global_optspecs
    string join \n builder= addr= tlscacert= tlscert= tlskey= tlsservername= D/debug version add-host= allow= annotation= attest= build-arg= build-context= cache-from= cache-to= cgroup-parent= f/file= iidfile= label= load metadata-file= network= no-cache no-cache-filter= o/output= platform= progress= provenance= pull push q/quiet sbom= secret= shm-size= ssh= t/tag= target= ulimit= h/help
end

function __fish_docker_rkbuild_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_docker_rkbuild_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_docker_rkbuild_using_subcommand
    set -l cmd (__fish_docker_rkbuild_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l builder -d 'Override the configured builder instance' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l addr -d 'BuildKit address (unix:///path, tcp://host:port, docker+unix:///path); default: the docker daemon\'s embedded BuildKit' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l tlscacert -d 'CA certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l tlscert -d 'Client certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l tlskey -d 'Client key for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l tlsservername -d 'Server name to verify in the builder\'s certificate' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l add-host -d 'Add a custom host-to-IP mapping (format: "host:ip")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l allow -d 'Allow extra privileged entitlement (e.g., "network.host", "security.insecure")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l annotation -d 'Add annotation to the image' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l attest -d 'Attestation parameters (format: "type=sbom,generator=image")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l build-arg -d 'Set build-time variables' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l build-context -d 'Additional build contexts (e.g., name=path)' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l cache-from -d 'External cache sources (e.g., "user/app:cache", "type=local,src=path/to/dir")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l cache-to -d 'Cache export destinations (e.g., "user/app:cache", "type=local,dest=path/to/dir")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l cgroup-parent -d 'Set the parent cgroup for the "RUN" instructions during build' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -s f -l file -d 'Name of the Dockerfile (default: "PATH/Dockerfile")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l iidfile -d 'Write the image ID to the file' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l label -d 'Set metadata for an image' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l metadata-file -d 'Write build result metadata to the file' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l network -d 'Set the networking mode for the "RUN" instructions during build' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l no-cache-filter -d 'Do not cache specified stages' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -s o -l output -d 'Output destination (format: "type=local,dest=path")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l platform -d 'Set target platform for build' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l progress -d 'Set type of progress output ("auto", "plain", "tty", "rawjson", "quiet"). Use plain to show container output' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l provenance -d 'Shorthand for "--attest=type=provenance"' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l sbom -d 'Shorthand for "--attest=type=sbom"' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l secret -d 'Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l shm-size -d 'Shared memory size for build containers' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l ssh -d 'SSH agent socket or keys to expose to the build (format: "default|<id>[=<socket>|<key>[,<key>]]")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -s t -l tag -d 'Name and optionally a tag (format: "name:tag")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l target -d 'Set the target build stage to build' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l ulimit -d 'Ulimit options' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -s D -l debug -d 'Enable debug logging'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l version -d 'Print the client version and exit'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l load -d 'Shorthand for "--output=type=docker"'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l no-cache -d 'Do not use cache when building the image'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l pull -d 'Always attempt to pull all referenced images'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l push -d 'Shorthand for "--output=type=registry"'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -s q -l quiet -d 'Suppress the build output and print image ID on success'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -s h -l help -d 'Print help'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -a "build" -d 'Start a build'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -a "b" -d 'Start a build'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -a "version" -d 'Show client and builder versions'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -a "du" -d 'Disk usage'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -a "prune" -d 'Remove build cache'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -a "ls" -d 'List builder instances'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -a "create" -d 'Create a new builder instance'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -a "rm" -d 'Remove one or more builder instances'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -a "use" -d 'Set the current builder instance'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -a "inspect" -d 'Inspect current builder instance'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -a "stop" -d 'Stop builder instance'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -a "inspect-context" -d 'Show what a build of PATH would send: ignore file, sizes, largest entries, why a path is in or out'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l add-host -d 'Add a custom host-to-IP mapping (format: "host:ip")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l allow -d 'Allow extra privileged entitlement (e.g., "network.host", "security.insecure")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l annotation -d 'Add annotation to the image' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l attest -d 'Attestation parameters (format: "type=sbom,generator=image")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l build-arg -d 'Set build-time variables' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l build-context -d 'Additional build contexts (e.g., name=path)' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l cache-from -d 'External cache sources (e.g., "user/app:cache", "type=local,src=path/to/dir")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l cache-to -d 'Cache export destinations (e.g., "user/app:cache", "type=local,dest=path/to/dir")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l cgroup-parent -d 'Set the parent cgroup for the "RUN" instructions during build' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -s f -l file -d 'Name of the Dockerfile (default: "PATH/Dockerfile")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l iidfile -d 'Write the image ID to the file' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l label -d 'Set metadata for an image' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l metadata-file -d 'Write build result metadata to the file' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l network -d 'Set the networking mode for the "RUN" instructions during build' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l no-cache-filter -d 'Do not cache specified stages' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -s o -l output -d 'Output destination (format: "type=local,dest=path")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l platform -d 'Set target platform for build' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l progress -d 'Set type of progress output ("auto", "plain", "tty", "rawjson", "quiet"). Use plain to show container output' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l provenance -d 'Shorthand for "--attest=type=provenance"' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l sbom -d 'Shorthand for "--attest=type=sbom"' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l secret -d 'Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l shm-size -d 'Shared memory size for build containers' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l ssh -d 'SSH agent socket or keys to expose to the build (format: "default|<id>[=<socket>|<key>[,<key>]]")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -s t -l tag -d 'Name and optionally a tag (format: "name:tag")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l target -d 'Set the target build stage to build' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l ulimit -d 'Ulimit options' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l builder -d 'Override the configured builder instance' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l addr -d 'BuildKit address (unix:///path, tcp://host:port, docker+unix:///path); default: the docker daemon\'s embedded BuildKit' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l tlscacert -d 'CA certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l tlscert -d 'Client certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l tlskey -d 'Client key for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l tlsservername -d 'Server name to verify in the builder\'s certificate' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l load -d 'Shorthand for "--output=type=docker"'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l no-cache -d 'Do not use cache when building the image'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l pull -d 'Always attempt to pull all referenced images'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -l push -d 'Shorthand for "--output=type=registry"'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -s q -l quiet -d 'Suppress the build output and print image ID on success'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -s D -l debug -d 'Enable debug logging'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand build" -s h -l help -d 'Print help'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l add-host -d 'Add a custom host-to-IP mapping (format: "host:ip")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l allow -d 'Allow extra privileged entitlement (e.g., "network.host", "security.insecure")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l annotation -d 'Add annotation to the image' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l attest -d 'Attestation parameters (format: "type=sbom,generator=image")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l build-arg -d 'Set build-time variables' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l build-context -d 'Additional build contexts (e.g., name=path)' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l cache-from -d 'External cache sources (e.g., "user/app:cache", "type=local,src=path/to/dir")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l cache-to -d 'Cache export destinations (e.g., "user/app:cache", "type=local,dest=path/to/dir")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l cgroup-parent -d 'Set the parent cgroup for the "RUN" instructions during build' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -s f -l file -d 'Name of the Dockerfile (default: "PATH/Dockerfile")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l iidfile -d 'Write the image ID to the file' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l label -d 'Set metadata for an image' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l metadata-file -d 'Write build result metadata to the file' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l network -d 'Set the networking mode for the "RUN" instructions during build' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l no-cache-filter -d 'Do not cache specified stages' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -s o -l output -d 'Output destination (format: "type=local,dest=path")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l platform -d 'Set target platform for build' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l progress -d 'Set type of progress output ("auto", "plain", "tty", "rawjson", "quiet"). Use plain to show container output' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l provenance -d 'Shorthand for "--attest=type=provenance"' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l sbom -d 'Shorthand for "--attest=type=sbom"' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l secret -d 'Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l shm-size -d 'Shared memory size for build containers' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l ssh -d 'SSH agent socket or keys to expose to the build (format: "default|<id>[=<socket>|<key>[,<key>]]")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -s t -l tag -d 'Name and optionally a tag (format: "name:tag")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l target -d 'Set the target build stage to build' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l ulimit -d 'Ulimit options' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l builder -d 'Override the configured builder instance' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l addr -d 'BuildKit address (unix:///path, tcp://host:port, docker+unix:///path); default: the docker daemon\'s embedded BuildKit' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l tlscacert -d 'CA certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l tlscert -d 'Client certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l tlskey -d 'Client key for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l tlsservername -d 'Server name to verify in the builder\'s certificate' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l load -d 'Shorthand for "--output=type=docker"'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l no-cache -d 'Do not use cache when building the image'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l pull -d 'Always attempt to pull all referenced images'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -l push -d 'Shorthand for "--output=type=registry"'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -s q -l quiet -d 'Suppress the build output and print image ID on success'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -s D -l debug -d 'Enable debug logging'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand b" -s h -l help -d 'Print help'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -l format -d 'Output format' -r -f -a "text\t'Human-readable text'
json\t'JSON'"
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -l builder -d 'Override the configured builder instance' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -l addr -d 'BuildKit address (unix:///path, tcp://host:port, docker+unix:///path); default: the docker daemon\'s embedded BuildKit' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -l tlscacert -d 'CA certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -l tlscert -d 'Client certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -l tlskey -d 'Client key for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -l tlsservername -d 'Server name to verify in the builder\'s certificate' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -s D -l debug -d 'Enable debug logging'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand du" -l filter -d 'Provide filter values' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand du" -l builder -d 'Override the configured builder instance' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand du" -l addr -d 'BuildKit address (unix:///path, tcp://host:port, docker+unix:///path); default: the docker daemon\'s embedded BuildKit' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand du" -l tlscacert -d 'CA certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand du" -l tlscert -d 'Client certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand du" -l tlskey -d 'Client key for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand du" -l tlsservername -d 'Server name to verify in the builder\'s certificate' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand du" -l verbose -d 'Provide a more verbose output'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand du" -s D -l debug -d 'Enable debug logging'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand du" -s h -l help -d 'Print help'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand prune" -l filter -d 'Provide filter values (e.g., "until=24h")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand prune" -l keep-storage -d 'Amount of disk space to keep for cache' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand prune" -l builder -d 'Override the configured builder instance' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand prune" -l addr -d 'BuildKit address (unix:///path, tcp://host:port, docker+unix:///path); default: the docker daemon\'s embedded BuildKit' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand prune" -l tlscacert -d 'CA certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand prune" -l tlscert -d 'Client certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand prune" -l tlskey -d 'Client key for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand prune" -l tlsservername -d 'Server name to verify in the builder\'s certificate' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand prune" -s a -l all -d 'Include internal/frontend images'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand prune" -l verbose -d 'Provide a more verbose output'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand prune" -s D -l debug -d 'Enable debug logging'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand prune" -s h -l help -d 'Print help'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand ls" -l format -d 'Format the output' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand ls" -l builder -d 'Override the configured builder instance' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand ls" -l addr -d 'BuildKit address (unix:///path, tcp://host:port, docker+unix:///path); default: the docker daemon\'s embedded BuildKit' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand ls" -l tlscacert -d 'CA certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand ls" -l tlscert -d 'Client certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand ls" -l tlskey -d 'Client key for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand ls" -l tlsservername -d 'Server name to verify in the builder\'s certificate' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand ls" -s D -l debug -d 'Enable debug logging'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand ls" -s h -l help -d 'Print help'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l buildkitd-config -d 'BuildKit daemon config file' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l buildkitd-flags -d 'BuildKit daemon flags' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l driver -d 'Driver to use (available: "docker-container", "kubernetes", "remote")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l driver-opt -d 'Options for the driver' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l name -d 'Builder instance name' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l node -d 'Create/modify node with given name' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l platform -d 'Fixed platforms for current node' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l builder -d 'Override the configured builder instance' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l addr -d 'BuildKit address (unix:///path, tcp://host:port, docker+unix:///path); default: the docker daemon\'s embedded BuildKit' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l tlscacert -d 'CA certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l tlscert -d 'Client certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l tlskey -d 'Client key for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l tlsservername -d 'Server name to verify in the builder\'s certificate' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l append -d 'Append a node to builder instead of changing it'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l bootstrap -d 'Boot builder after creation'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l leave -d 'Remove a node from builder instead of changing it'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -l use -d 'Set the current builder instance'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -s D -l debug -d 'Enable debug logging'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand create" -s h -l help -d 'Print help'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand rm" -l builder -d 'Override the configured builder instance' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand rm" -l addr -d 'BuildKit address (unix:///path, tcp://host:port, docker+unix:///path); default: the docker daemon\'s embedded BuildKit' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand rm" -l tlscacert -d 'CA certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand rm" -l tlscert -d 'Client certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand rm" -l tlskey -d 'Client key for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand rm" -l tlsservername -d 'Server name to verify in the builder\'s certificate' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand rm" -l all-inactive -d 'Remove all inactive builders'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand rm" -s f -l force -d 'Do not prompt for confirmation'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand rm" -l keep-daemon -d 'Keep the BuildKit daemon running'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand rm" -l keep-state -d 'Keep BuildKit state'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand rm" -s D -l debug -d 'Enable debug logging'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand rm" -s h -l help -d 'Print help'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand use" -l builder -d 'Override the configured builder instance' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand use" -l addr -d 'BuildKit address (unix:///path, tcp://host:port, docker+unix:///path); default: the docker daemon\'s embedded BuildKit' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand use" -l tlscacert -d 'CA certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand use" -l tlscert -d 'Client certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand use" -l tlskey -d 'Client key for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand use" -l tlsservername -d 'Server name to verify in the builder\'s certificate' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand use" -l default -d 'Set builder as default for current context'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand use" -l global -d 'Builder persists context changes'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand use" -s D -l debug -d 'Enable debug logging'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand use" -s h -l help -d 'Print help'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect" -l builder -d 'Override the configured builder instance' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect" -l addr -d 'BuildKit address (unix:///path, tcp://host:port, docker+unix:///path); default: the docker daemon\'s embedded BuildKit' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect" -l tlscacert -d 'CA certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect" -l tlscert -d 'Client certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect" -l tlskey -d 'Client key for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect" -l tlsservername -d 'Server name to verify in the builder\'s certificate' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect" -l bootstrap -d 'Ensure builder has booted before inspecting'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect" -s D -l debug -d 'Enable debug logging'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect" -s h -l help -d 'Print help'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand stop" -l builder -d 'Override the configured builder instance' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand stop" -l addr -d 'BuildKit address (unix:///path, tcp://host:port, docker+unix:///path); default: the docker daemon\'s embedded BuildKit' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand stop" -l tlscacert -d 'CA certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand stop" -l tlscert -d 'Client certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand stop" -l tlskey -d 'Client key for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand stop" -l tlsservername -d 'Server name to verify in the builder\'s certificate' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand stop" -s D -l debug -d 'Enable debug logging'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand stop" -s h -l help -d 'Print help'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect-context" -s f -l file -d 'Name of the Dockerfile (default: "PATH/Dockerfile")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect-context" -l why -d 'Say whether PATH (relative to the context) is sent, and which ignore-file line decides' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect-context" -l top -d 'How many of the largest directories and files to show' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect-context" -l format -d 'Output format ("text", "json")' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect-context" -l builder -d 'Override the configured builder instance' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect-context" -l addr -d 'BuildKit address (unix:///path, tcp://host:port, docker+unix:///path); default: the docker daemon\'s embedded BuildKit' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect-context" -l tlscacert -d 'CA certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect-context" -l tlscert -d 'Client certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect-context" -l tlskey -d 'Client key for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect-context" -l tlsservername -d 'Server name to verify in the builder\'s certificate' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect-context" -l list -d 'List every path that would be sent'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect-context" -s D -l debug -d 'Enable debug logging'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand inspect-context" -s h -l help -d 'Print help'
