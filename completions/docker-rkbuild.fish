# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_docker_rkbuild_global_optspecs
    string join \n builder= addr= tlscacert= tlscert= tlskey= tlsservername= connect-timeout= D/debug version h/help
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
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l connect-timeout -d 'Seconds to wait for the connection to the builder' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -s D -l debug -d 'Enable debug logging'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -l version -d 'Print the client version and exit'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -s h -l help -d 'Print help'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -f -a "version" -d 'Show client and builder versions'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_needs_command" -f -a "docker-cli-plugin-metadata" -d 'Print the docker CLI plugin metadata'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -l format -d 'Output format' -r -f -a "text\t'Human-readable text'
json\t'JSON'"
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -l builder -d 'Override the configured builder instance' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -l addr -d 'BuildKit address (unix:///path, tcp://host:port, docker+unix:///path); default: the docker daemon\'s embedded BuildKit' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -l tlscacert -d 'CA certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -l tlscert -d 'Client certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -l tlskey -d 'Client key for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -l tlsservername -d 'Server name to verify in the builder\'s certificate' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -l connect-timeout -d 'Seconds to wait for the connection to the builder' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -s D -l debug -d 'Enable debug logging'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand version" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand docker-cli-plugin-metadata" -l builder -d 'Override the configured builder instance' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand docker-cli-plugin-metadata" -l addr -d 'BuildKit address (unix:///path, tcp://host:port, docker+unix:///path); default: the docker daemon\'s embedded BuildKit' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand docker-cli-plugin-metadata" -l tlscacert -d 'CA certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand docker-cli-plugin-metadata" -l tlscert -d 'Client certificate for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand docker-cli-plugin-metadata" -l tlskey -d 'Client key for a tcp:// BuildKit address' -r -F
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand docker-cli-plugin-metadata" -l tlsservername -d 'Server name to verify in the builder\'s certificate' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand docker-cli-plugin-metadata" -l connect-timeout -d 'Seconds to wait for the connection to the builder' -r
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand docker-cli-plugin-metadata" -s D -l debug -d 'Enable debug logging'
complete -c docker-rkbuild -n "__fish_docker_rkbuild_using_subcommand docker-cli-plugin-metadata" -s h -l help -d 'Print help'
