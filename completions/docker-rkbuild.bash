_docker_rkbuild() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="docker_rkbuild"
                ;;
            docker_rkbuild,b)
                cmd="docker_rkbuild__subcmd__build"
                ;;
            docker_rkbuild,build)
                cmd="docker_rkbuild__subcmd__build"
                ;;
            docker_rkbuild,create)
                cmd="docker_rkbuild__subcmd__create"
                ;;
            docker_rkbuild,du)
                cmd="docker_rkbuild__subcmd__du"
                ;;
            docker_rkbuild,inspect)
                cmd="docker_rkbuild__subcmd__inspect"
                ;;
            docker_rkbuild,inspect-context)
                cmd="docker_rkbuild__subcmd__inspect__subcmd__context"
                ;;
            docker_rkbuild,ls)
                cmd="docker_rkbuild__subcmd__ls"
                ;;
            docker_rkbuild,prune)
                cmd="docker_rkbuild__subcmd__prune"
                ;;
            docker_rkbuild,rm)
                cmd="docker_rkbuild__subcmd__rm"
                ;;
            docker_rkbuild,stop)
                cmd="docker_rkbuild__subcmd__stop"
                ;;
            docker_rkbuild,use)
                cmd="docker_rkbuild__subcmd__use"
                ;;
            docker_rkbuild,version)
                cmd="docker_rkbuild__subcmd__version"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        docker_rkbuild)
            opts="-D -f -o -q -t -h --builder --addr --tlscacert --tlscert --tlskey --tlsservername --debug --version --add-host --allow --annotation --attest --build-arg --build-context --cache-from --cache-to --cgroup-parent --file --iidfile --label --load --metadata-file --network --no-cache --no-cache-filter --output --platform --progress --provenance --pull --push --quiet --sbom --secret --shm-size --ssh --tag --target --ulimit --help build b version du prune ls create rm use inspect stop inspect-context"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --builder)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --addr)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscacert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlskey)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlsservername)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --add-host)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --allow)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --annotation)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --attest)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --build-arg)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --build-context)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --cache-from)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --cache-to)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --cgroup-parent)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -f)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --iidfile)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --label)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --metadata-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --network)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --no-cache-filter)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -o)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --platform)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --progress)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --provenance)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sbom)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --secret)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --shm-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssh)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tag)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -t)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --target)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ulimit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        docker_rkbuild__subcmd__build)
            opts="-f -o -q -t -D -h --add-host --allow --annotation --attest --build-arg --build-context --cache-from --cache-to --cgroup-parent --file --iidfile --label --load --metadata-file --network --no-cache --no-cache-filter --output --platform --progress --provenance --pull --push --quiet --sbom --secret --shm-size --ssh --tag --target --ulimit --builder --addr --tlscacert --tlscert --tlskey --tlsservername --debug --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --add-host)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --allow)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --annotation)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --attest)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --build-arg)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --build-context)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --cache-from)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --cache-to)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --cgroup-parent)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -f)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --iidfile)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --label)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --metadata-file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --network)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --no-cache-filter)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --output)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -o)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --platform)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --progress)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --provenance)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --sbom)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --secret)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --shm-size)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ssh)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tag)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -t)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --target)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --ulimit)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --builder)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --addr)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscacert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlskey)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlsservername)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        docker_rkbuild__subcmd__create)
            opts="-D -h --append --bootstrap --buildkitd-config --buildkitd-flags --driver --driver-opt --leave --name --node --platform --use --builder --addr --tlscacert --tlscert --tlskey --tlsservername --debug --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --buildkitd-config)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --buildkitd-flags)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --driver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --driver-opt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --name)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --node)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --platform)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --builder)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --addr)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscacert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlskey)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlsservername)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        docker_rkbuild__subcmd__du)
            opts="-D -h --filter --verbose --builder --addr --tlscacert --tlscert --tlskey --tlsservername --debug --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --filter)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --builder)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --addr)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscacert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlskey)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlsservername)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        docker_rkbuild__subcmd__inspect)
            opts="-D -h --bootstrap --builder --addr --tlscacert --tlscert --tlskey --tlsservername --debug --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --builder)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --addr)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscacert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlskey)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlsservername)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        docker_rkbuild__subcmd__inspect__subcmd__context)
            opts="-f -D -h --file --why --top --list --format --builder --addr --tlscacert --tlscert --tlskey --tlsservername --debug --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --file)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                -f)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --why)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --top)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --format)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --builder)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --addr)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscacert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlskey)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlsservername)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        docker_rkbuild__subcmd__ls)
            opts="-D -h --format --builder --addr --tlscacert --tlscert --tlskey --tlsservername --debug --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --format)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --builder)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --addr)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscacert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlskey)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlsservername)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        docker_rkbuild__subcmd__prune)
            opts="-a -f -D -h --all --filter --force --keep-storage --verbose --builder --addr --tlscacert --tlscert --tlskey --tlsservername --debug --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --filter)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --keep-storage)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --builder)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --addr)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscacert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlskey)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlsservername)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        docker_rkbuild__subcmd__rm)
            opts="-f -D -h --all-inactive --force --keep-daemon --keep-state --builder --addr --tlscacert --tlscert --tlskey --tlsservername --debug --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --builder)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --addr)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscacert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlskey)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlsservername)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        docker_rkbuild__subcmd__stop)
            opts="-D -h --builder --addr --tlscacert --tlscert --tlskey --tlsservername --debug --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --builder)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --addr)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscacert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlskey)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlsservername)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        docker_rkbuild__subcmd__use)
            opts="-D -h --default --global --builder --addr --tlscacert --tlscert --tlskey --tlsservername --debug --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --builder)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --addr)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscacert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlskey)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlsservername)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        docker_rkbuild__subcmd__version)
            opts="-D -h --format --builder --addr --tlscacert --tlscert --tlskey --tlsservername --debug --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --format)
                    COMPREPLY=($(compgen -W "text json" -- "${cur}"))
                    return 0
                    ;;
                --builder)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --addr)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscacert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlscert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlskey)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --tlsservername)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _docker_rkbuild -o nosort -o bashdefault -o default docker-rkbuild
else
    complete -F _docker_rkbuild -o bashdefault -o default docker-rkbuild
fi
